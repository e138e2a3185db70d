// ESLint for the whole tree. Type-aware rules from typescript-eslint where they find real bugs (a promise nobody
// awaits, an async function where a callback's result is ignored, `any` flowing into typed code); formatting is
// Prettier's job, so eslint-config-prettier comes last and turns off every rule that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'test-artifacts/', '**/node_modules/'] },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        project: ['./tsconfig.eslint.json', './src/approval/view/tsconfig.json', './tsconfig.test-browser.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    rules: {
      // Input checks reject control characters on purpose; that is what these patterns are for.
      'no-control-regex': 'off',
      // A listener created before the handler it calls (so the port is taken early) reads the variable in a closure.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An async method without await is how a promise-returning interface is implemented (a sync throw becomes the
      // rejection callers handle); the rule finds no bugs here, only that shape.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON off the wire and look into it; `any` is their honest type and the assertions check the shape at
    // run time. The promise rules still apply to tests.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript has no types to check `any` against, but the promise rules still see through inference.
    files: ['**/*.mjs', '**/*.js'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['src/approval/view/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  prettier,
);
