// `pulumi up` runs the function this module exports; so do the Automation API
// callers, which import `program` directly. There is one program.
import { program } from "./program";

export = program;
