#!/usr/bin/env node
// The installed `cflow` command: a committed shim, so the bin link exists before the first build.
import "../dist/cli.js";
