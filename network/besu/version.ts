/**
 * The Besu release the generated configuration, the compose file and network/besu/README.md were written for. One
 * place, so the node configs, the container image and the guide cannot name different releases. Upgrading is a
 * procedure (docs/runbook.md, "Upgrading Besu"), not an edit of this line alone.
 *
 * Why 26.8.0 (released 2026-08-18, the newest release in the Besu sources this was checked against): it contains PR
 * #10751 (first released in 26.7.1), without which the layered transaction pool of 26.4.0–26.7.0 never mines a
 * zero-balance sender's transactions on a free-gas network (PR #10175 turned its balance check on by default), and
 * the 26.7.x/26.8.0 security fixes for QBFT round-change and future-message memory bounds. The generated configs
 * avoid that pool's balance check either way (node-config.ts, txPoolLines). Besu was not run on the machine this was
 * written on: the version is pinned from its changelog and sources, not from a test run.
 */
export const BESU_VERSION = "26.8.0";

/** The container image of that release (Docker Hub's official Besu image, `hyperledger/besu`, pinned by tag). */
export const BESU_IMAGE = `hyperledger/besu:${BESU_VERSION}`;
