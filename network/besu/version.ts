/**
 * The Besu release the generated configuration, the compose file and docs/besu.md were written for. One place, so
 * the node configs, the container image and the guide cannot name different releases. Upgrading is a procedure
 * (docs/runbook.md, "Upgrading Besu"), not an edit of this line alone.
 */
export const BESU_VERSION = "26.8.0";

/** The container image of that release (Docker Hub's official Besu image, pinned by tag). */
export const BESU_IMAGE = `hyperledger/besu:${BESU_VERSION}`;
