/**
 * The API store that API instances share (api/src/store): single-use nonces and rate-limit windows, with two
 * store connections standing for two instances on ONE database. The same suite runs on SQLite (one file, two
 * connections) and on PostgreSQL when ITEC_TEST_DATABASE_URL is set (e.g. from `.ci/postgres.sh`).
 */
import { expect } from "chai";

import { ApiStore } from "../../api/src/store/store.ts";
import { IndexStore } from "../../indexer/index.ts";
import { storeBackends, type StoreBackend } from "./store-backends.ts";

for (const makeBackend of storeBackends()) {
  describe(`API store (${makeBackend.label})`, function () {
    this.timeout(30_000);
    let backend: StoreBackend;
    let a: ApiStore;
    let b: ApiStore;

    beforeEach(async () => {
      backend = makeBackend();
      a = await ApiStore.open(backend.location);
      b = await ApiStore.open(backend.location); // a second instance: migrations already there
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await backend.dispose();
    });

    it("answers a nonce issued by one instance at the other, once", async () => {
      const now = Date.now();
      await a.issueNonce("n1", now + 60_000, now);
      expect(await b.hasNonce("n1", now)).to.equal(true);
      expect(await b.consumeNonce("n1", now)).to.equal(true);
      expect(await a.consumeNonce("n1", now), "used at b").to.equal(false);
      expect(await a.hasNonce("n1", now)).to.equal(false);
      expect(await b.consumeNonce("never-issued", now)).to.equal(false);
    });

    it("refuses an expired nonce and purges expired ones", async () => {
      const now = Date.now();
      await a.issueNonce("old", now + 1_000, now);
      expect(await b.consumeNonce("old", now + 1_000), "expired at its expiry").to.equal(false);
      // The purge runs at most once a minute per process: a later issue removes the expired row.
      await a.issueNonce("new", now + 200_000, now + 120_000);
      const rows = await a.db.all("SELECT nonce FROM api_siwe_nonces ORDER BY nonce");
      expect(rows.map((r) => r.nonce)).to.deep.equal(["new"]);
    });

    it("lets exactly one of 10 concurrent uses of a nonce, spread over two instances, succeed", async () => {
      const now = Date.now();
      for (let round = 0; round < 5; round++) {
        const nonce = `race-${round}`;
        await a.issueNonce(nonce, now + 60_000, now);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeNonce(nonce, now)),
        );
        expect(results.filter(Boolean), `round ${round}`).to.have.length(1);
      }
    });

    it("takes one client's requests from one token bucket across instances, atomically", async () => {
      const t = 1_700_000_000_000;
      const rate = { limit: 30, windowMs: 60_000 }; // one every 2 s, 30 at once
      const takes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).take("auth", "c1", t, rate)),
      );
      expect(
        takes.filter((x) => x.allowed),
        "exactly the burst of 30, however the instances race",
      ).to.have.length(30);
      expect(Math.max(...takes.map((x) => x.tat))).to.equal(t + 60_000);
      expect((await a.take("auth", "c2", t + 1, rate)).allowed, "another client").to.equal(true);
      expect((await b.take("read", "c1", t + 1, rate)).allowed, "another bucket").to.equal(true);
      expect((await b.take("auth", "c1", t + 1_999, rate)).allowed, "no token yet").to.equal(false);
      expect(await a.take("auth", "c1", t + 2_000, rate), "one token per 2 s").to.deep.equal({
        allowed: true,
        tat: t + 62_000,
      });
      expect(
        await a.take("auth", "c1", t + 2_000, rate, 5, true),
        "forced: taken whatever the bucket holds",
      ).to.deep.equal({ allowed: true, tat: t + 72_000 });
    });

    it("keeps its migrations apart from the index's in one database", async () => {
      const index = await IndexStore.open(backend.location);
      try {
        expect(await index.ping()).to.equal(true);
        const versions = await a.db.all("SELECT version FROM api_migrations");
        expect(versions.map((v) => Number(v.version))).to.deep.equal([1, 2, 3]);
        const indexed = await index.db.all(
          `SELECT version FROM ${backend.name === "SQLite" ? "schema_migrations" : "ix_schema_migrations"}`,
        );
        expect(indexed.length, "the index applied all of its own migrations").to.be.greaterThan(1);
      } finally {
        await index.close();
      }
    });
  });
}
