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

    it("counts one client's requests across instances, atomically, in windows from its first request", async () => {
      const t = 1_700_000_000_000;
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit("read", "c1", t, 60_000)),
      );
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(hits.map((h) => h.windowStart))).to.deep.equal(new Set([t]));
      expect((await a.hit("read", "c2", t + 1, 60_000)).count, "another client").to.equal(1);
      expect((await b.hit("auth", "c1", t + 1, 60_000)).count, "another bucket").to.equal(1);
      expect(await b.hit("read", "c1", t + 59_999, 60_000)).to.deep.equal({ count: 41, windowStart: t });
      expect(await a.hit("read", "c1", t + 60_000, 60_000), "the next window").to.deep.equal({
        count: 1,
        windowStart: t + 60_000,
      });
    });

    it("keeps its migrations apart from the index's in one database", async () => {
      const index = await IndexStore.open(backend.location);
      try {
        expect(await index.ping()).to.equal(true);
        const versions = await a.db.all("SELECT version FROM api_migrations");
        expect(versions.map((v) => Number(v.version))).to.deep.equal([1]);
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
