export { requireToolVersion } from "../tools/tool-versions"; // moved: delete once its importers import tools/
