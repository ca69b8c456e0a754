import js from '@eslint/js';
import pluginQuery from '@tanstack/eslint-plugin-query';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', '**/test-results/**', '**/playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Every query is a promise: one left unawaited would run outside its transaction, or not at all.
    files: ['apps/bff/src/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },
  {
    // The BFF's layers: routes parse and call services; only services and repos reach the data.
    files: ['apps/bff/src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [{ type: 'bff', pattern: '**/apps/bff/src' }],
      'boundaries/files': [
        { category: 'routes', pattern: '**/*.routes.ts' },
        { category: 'repo', pattern: '**/*.repo.ts' },
        { category: 'database', pattern: '**/src/db/*.ts' },
      ],
      'import/resolver': { node: { extensions: ['.ts'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          // Packages too, not only our files: routes must not reach for a query builder or driver.
          checkAllOrigins: true,
          policies: [
            {
              from: { file: { categories: 'routes' } },
              disallow: { to: { file: { categories: { anyOf: ['repo', 'database'] } } } },
            },
            {
              from: { file: { categories: 'routes' } },
              disallow: {
                to: {
                  module: {
                    origin: 'external',
                    source: ['kysely', 'better-sqlite3', 'pg', 'pg-cursor'],
                  },
                },
              },
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks, '@tanstack/query': pluginQuery },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...pluginQuery.configs.recommended.rules,
    },
  },
);
