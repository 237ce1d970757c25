// ESLint flat config. TypeScript files are linted with type information (the root tsconfig.json,
// found through the project service); plain JavaScript files (configs, scripts, bin shims) get the
// JS recommended rules only. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals our .js/.mjs files use (there is no `globals` package in our devDependencies).
const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  setImmediate: 'readonly',
  queueMicrotask: 'readonly',
  structuredClone: 'readonly',
};

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    'bench/node_modules/',
    'test-artifacts/',
    'coverage/',
    '.tmp/',
  ]),

  // A stale eslint-disable comment is an error, so disabled rules don't outlive their reason.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,

  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
  },
  // The dashboard's client script runs in the browser.
  {
    files: ['packages/dashboard/src/assets/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        DOMParser: 'readonly',
        Element: 'readonly',
        HTMLSelectElement: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The async rules are the point of type-checked linting for a job queue: a dropped promise is a
      // lost job or an unhandled rejection. Stated explicitly so nobody turns them off by accident.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself tracks.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch/finally skips the catch; require `return await` there only.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],

      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/consistent-type-exports': 'error',

      // A switch over JobState (a closed vocabulary) must handle every state or say `default`.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],

      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],

      // Off: async methods without await are how synchronous stores (memory, better-sqlite3) implement the
      // Promise-returning Backend seam, and `async` turns their throws into rejections, which we want.
      '@typescript-eslint/require-await': 'off',

      eqeqeq: ['error', 'smart'],
    },
  },
]);
