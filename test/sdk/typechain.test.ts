/**
 * sdk/src/typechain/ is committed (the SDK's declarations of the registry contract come from inside sdk/, in the
 * clone and in the packed package) and generated from typechain's output. `hardhat test` compiles first, so this
 * fails whenever the contracts changed and `npm run build` was not run and its output committed.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { TYPECHAIN_DIR, TYPECHAIN_FILES, typechainCopyText, typechainText } from "../../sdk/scripts/typechain.ts";

describe("generated contract types (sdk/src/typechain/)", function () {
  for (const file of TYPECHAIN_FILES) {
    it(`${file} is exactly what typechain generates for the current contracts`, function () {
      expect(readFileSync(`${TYPECHAIN_DIR}${file}`, "utf8")).to.equal(typechainCopyText(typechainText(file)));
    });
  }
});
