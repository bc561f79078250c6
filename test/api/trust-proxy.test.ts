/** ITEC_TRUST_PROXY as core/config.ts reads it: express's `trust proxy` values that cannot be spoofed from outside. */
import { expect } from "chai";

import { ConfigError, readApiEnv } from "../../core/config.ts";

const BASE = { ITEC_REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const read = (value: string | undefined) =>
  readApiEnv({ ...BASE, ...(value === undefined ? {} : { ITEC_TRUST_PROXY: value }) }).ITEC_TRUST_PROXY;

describe("ITEC_TRUST_PROXY", function () {
  it("is unset by default (no proxy trusted), a hop count, or addresses, CIDRs and express's named ranges", function () {
    expect(read(undefined)).to.equal(undefined);
    expect(read("0")).to.equal(0);
    expect(read("1")).to.equal(1);
    expect(read("loopback")).to.deep.equal(["loopback"]);
    expect(read(" loopback, 10.0.0.0/8 ,192.0.2.7,fd00::/8,::1,uniquelocal,linklocal")).to.deep.equal([
      "loopback",
      "10.0.0.0/8",
      "192.0.2.7",
      "fd00::/8",
      "::1",
      "uniquelocal",
      "linklocal",
    ]);
  });

  it("refuses `true`, names and bad CIDRs with one line naming the variable and a value that works", function () {
    for (const bad of ["true", "*", "proxy.example", "10.0.0.0/33", "fd00::/129", "10.0.0.1/8/8", "1,", "100"]) {
      expect(() => read(bad), bad)
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(
          /ITEC_TRUST_PROXY: expected a hop count \(0–32\) or addresses.*\(e\.g\. ITEC_TRUST_PROXY=loopback/,
        );
    }
  });
});
