// zod's v4/mini/index.js over the lean mini API: see README.md.
import * as z from "./mini.js";
export * from "./mini.js";
export { z };
