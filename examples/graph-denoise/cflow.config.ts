// Found by `cflow` when it runs in this directory (or below): every command loads these plugins.
// A string is a package name or a path; a plugin object works too:
//   import { graphPlugin } from "@cflow/plugin-graph";  export default { plugins: [graphPlugin] };
export default {
  plugins: ["@cflow/plugin-graph"],
};
