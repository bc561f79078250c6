// @ts-check
import eslint from "@eslint/js";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * The layers of ADR 0005, low to high: sdk ← core ← {oracle, indexer} ← api ← scripts. A zone forbids `target`
 * files to import `from` files; `except` (relative to `from`) opens a service's entry module to the layers above.
 */
const PRODUCTION = ["app", "sdk", "core", "oracle", "indexer", "api", "scripts", "network", "ignition", "bin"];
const layerZones = [
  // The SDK is packed and installed on its own: it imports nothing of the repository outside sdk/.
  {
    target: "./sdk",
    from: ["./core", "./oracle", "./indexer", "./api", "./scripts", "./network", "./types"],
    message: "sdk/ is the bottom layer and ships alone (ADR 0005)",
  },
  {
    target: "./core",
    from: ["./oracle", "./indexer", "./api", "./scripts"],
    message: "core/ is shared domain code: it must not import a service, the API or an entry point (ADR 0005)",
  },
  {
    target: "./oracle",
    from: ["./indexer", "./api", "./scripts"],
    message: "the oracle service imports only sdk/ and core/ (ADR 0005)",
  },
  {
    target: "./indexer",
    from: ["./oracle", "./api", "./scripts"],
    message: "the indexer imports only sdk/ and core/ (ADR 0005)",
  },
  { target: "./api", from: ["./scripts"], message: "api/ is below the entry points (ADR 0005)" },
  // Services are entered through their index module, never their internals.
  {
    target: ["./api", "./scripts"],
    from: "./oracle",
    except: ["./src/index.ts"],
    message: "import the oracle service through oracle/src/index.ts (ADR 0005)",
  },
  {
    target: ["./api", "./scripts"],
    from: "./indexer",
    except: ["./index.ts"],
    message: "import the indexer through indexer/index.ts (ADR 0005)",
  },
  // The web app runs in browsers: the SDK and the pure calculation only (docs/adr/0050-web-app.md).
  {
    target: "./app",
    from: ["./oracle", "./indexer", "./api", "./scripts", "./network", "./ignition", "./types"],
    message: "app/ runs in the browser: it imports only sdk/ and core/calc/ (ADR 0050)",
  },
  {
    target: "./app",
    from: "./core",
    except: ["./calc"],
    message: "app/ runs in the browser: of core/ it imports only the pure calculation, core/calc/ (ADR 0050)",
  },
  {
    target: PRODUCTION.filter((d) => d !== "app").map((d) => `./${d}`),
    from: "./app",
    message: "the web app is a client: nothing on the server side imports it (ADR 0050)",
  },
  // Production code never imports tests or benchmarks.
  {
    target: PRODUCTION.map((d) => `./${d}`),
    from: ["./test", "./bench"],
    message: "production code must not import test/ or bench/",
  },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "types/",
      "dist/",
      "sdk/dist/",
      "coverage/",
      "api/public/vendor/",
      "app/dist/",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "bin/*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["**/*.ts", "**/*.js"],
    plugins: { "import-x": importX },
    rules: { "import-x/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones: layerZones }] },
  },
  {
    // Tests and benchmarks use chai's property assertions and read untyped HTTP bodies (supertest's `body: any`).
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-unused-vars": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // Route handlers share one async signature, whether or not a given handler awaits.
    files: ["api/src/routes/**/*.ts", "api/src/app.ts"],
    rules: { "@typescript-eslint/require-await": "off" },
  },
  {
    // The verification page's script runs in the browser, as plain JavaScript (no build step).
    files: ["api/public/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, program: null, project: false },
      sourceType: "module",
      globals: {
        document: "readonly",
        window: "readonly",
        location: "readonly",
        history: "readonly",
        fetch: "readonly",
        Node: "readonly",
      },
    },
  },
);
