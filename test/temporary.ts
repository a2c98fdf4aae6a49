export { temporaryDirectory } from "./support/temporary"; // moved: delete once its importers import test/support
