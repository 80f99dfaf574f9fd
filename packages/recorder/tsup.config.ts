import { libraryBuild } from "../../tsup.library.js";

// columns.ts on its own too: the telemetry/event column mapping without DuckDB (the playground's CSV export)
export default libraryBuild({ entry: ["src/index.ts", "src/columns.ts"] });
