/**
 * The CLI's API client says what is wrong with the API address a person gave, with the next step: no scheme, nothing
 * listening, or a server that is not the registry's API (it answers without problem+json codes).
 */
import { createServer, type Server } from "node:http";

import { expect } from "chai";

import { ApiClient, ApiError } from "../../sdk/src/api-client.ts";
import { freePort } from "../helpers/chain.ts";

async function failure(client: ApiClient): Promise<ApiError> {
  try {
    await client.get("/lots/L2");
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("API client: a wrong --api", function () {
  let other: Server;
  let otherUrl: string;

  before(async () => {
    // e.g. the chain's JSON-RPC port, or any web server: 404 in plain text
    other = createServer((_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("Not Found"));
    const port = await freePort();
    await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
    otherUrl = `http://127.0.0.1:${port}`;
  });
  after(() => new Promise<void>((resolve) => other.close(() => resolve())));

  it("without a scheme: not a URL, with an example", async () => {
    const e = await failure(new ApiClient("127.0.0.1:18480"));
    expect(e.code).to.equal("BAD_API_URL");
    expect(e.message).to.equal(
      "'127.0.0.1:18480' is not the URL of an API: give it with its scheme, e.g. http://127.0.0.1:8080 (--api or ITEC_API_URL)",
    );
  });

  it("nothing listening: unreachable, and how to find the right URL", async () => {
    const e = await failure(new ApiClient(`http://127.0.0.1:${await freePort()}`));
    expect(e.code).to.equal("API_UNREACHABLE");
    expect(e.message).to.match(/is unreachable \(.*ECONNREFUSED.*\): is the registry running\?/);
    expect(e.message).to.include("pass it with --api or ITEC_API_URL");
  });

  it("another server: names the URL and the likely mistake", async () => {
    const e = await failure(new ApiClient(otherUrl));
    expect(e.code).to.equal("HTTP_404");
    expect(e.message).to.equal(
      `${otherUrl} answered GET /lots/L2 with HTTP 404, not as the registry's API does: ` +
        "is --api (ITEC_API_URL) the URL `npm start` or `itec serve` printed for the API?",
    );
  });
});
