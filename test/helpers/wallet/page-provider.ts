/**
 * The test wallet's provider inside the page: an EIP-1193 object whose `request` crosses to Node through a
 * Playwright binding, announced by EIP-6963 and optionally set as `window.ethereum`.
 *
 * It is a string of plain JavaScript, not a function handed to addInitScript: the tests run under tsx, whose
 * esbuild keeps function names by inserting `__name(...)` calls that do not exist in the page.
 */

/** What the page script needs to know, fixed at injection. */
export interface PageProviderConfig {
  /** The name of the Playwright binding the provider calls. */
  binding: string;
  /** Key of this wallet in `window.__itecTestWallets` (several wallets may be injected into one page). */
  id: string;
  info: { uuid: string; name: string; icon: string; rdns: string };
  announce: boolean;
  exposeWindowEthereum: boolean;
}

const SCRIPT = String.raw`function (config) {
  "use strict";
  var listeners = new Map();

  function emit(event, payload) {
    var set = listeners.get(event);
    if (!set) return;
    Array.from(set).forEach(function (entry) {
      if (entry.once) set.delete(entry);
      try {
        entry.fn(payload);
      } catch (err) {
        // A throwing listener must not stop the others (as Node's EventEmitter would); report it to the page.
        setTimeout(function () { throw err; });
      }
    });
  }

  function toError(shape) {
    var err = new Error(shape.message);
    err.code = shape.code;
    if (shape.data !== undefined) err.data = shape.data;
    return err;
  }

  function call(payload) {
    var fn = window[config.binding];
    if (typeof fn !== "function") {
      return Promise.reject(toError({ code: 4900, message: "The test wallet is not reachable (binding missing)" }));
    }
    return fn(payload);
  }

  function addListener(event, fn, once) {
    if (typeof fn !== "function") throw new TypeError("listener must be a function");
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event).add({ fn: fn, once: once });
    return provider;
  }

  function removeListener(event, fn) {
    var set = listeners.get(event);
    if (set) set.forEach(function (entry) { if (entry.fn === fn) set.delete(entry); });
    return provider;
  }

  var provider = {
    isItecTestWallet: true,
    request: function (args) {
      if (!args || typeof args !== "object" || typeof args.method !== "string" || args.method === "") {
        return Promise.reject(toError({ code: -32600, message: "request expects { method: string, params?: unknown[] }" }));
      }
      return call({ kind: "request", method: args.method, params: args.params }).then(function (reply) {
        if (reply.error) throw toError(reply.error);
        return reply.result;
      });
    },
    on: function (event, fn) { return addListener(event, fn, false); },
    addListener: function (event, fn) { return addListener(event, fn, false); },
    once: function (event, fn) { return addListener(event, fn, true); },
    removeListener: removeListener,
    off: removeListener,
    removeAllListeners: function (event) {
      if (event === undefined) listeners.clear(); else listeners.delete(event);
      return provider;
    },
    listenerCount: function (event) { var set = listeners.get(event); return set ? set.size : 0; },
  };

  if (!window.__itecTestWallets) {
    Object.defineProperty(window, "__itecTestWallets", { value: {}, enumerable: false });
  }
  window.__itecTestWallets[config.id] = {
    provider: provider,
    emit: function (event, payload) {
      emit(event, event === "disconnect" ? toError(payload) : payload);
    },
  };

  var info = Object.freeze({
    uuid: config.info.uuid,
    name: config.info.name,
    icon: config.info.icon,
    rdns: config.info.rdns,
  });
  function announce() {
    window.dispatchEvent(
      new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: info, provider: provider }) }),
    );
  }
  if (config.announce) {
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  }
  if (config.exposeWindowEthereum) {
    window.ethereum = provider;
    window.dispatchEvent(new Event("ethereum#initialized"));
  }

  // EIP-1193 'connect': the provider can serve the chain. Sent once the Node side has answered.
  call({ kind: "state" }).then(
    function (state) { emit("connect", { chainId: state.chainId }); },
    function () {},
  );
}`;

/** The init script that installs one test wallet's provider in every document of the page. */
export function pageProviderScript(config: PageProviderConfig): string {
  return `(${SCRIPT})(${JSON.stringify(config)});`;
}
