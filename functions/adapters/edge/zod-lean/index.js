// zod's package entry (index.js) over the lean classic API: see README.md.
import * as z from "./classic.js";
export * from "./classic.js";
export { z, z as default };
