// The linter of `npm test`: TypeScript's recommended rules everywhere, React's hook rules in the renderer.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'release/**', '**/*.generated.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    rules: {
      // procscope reads hostile text: matching control characters on purpose is its job.
      'no-control-regex': 'off',
      // An unused name is an error, unless it says so with a leading underscore.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Product code throws the kinds of shared/errors.ts (fail, UsageError, parseFailure, internalFailure), never a bare
    // Error that would reach the user as "internal: a fault in procscope".
    files: ['shared/**/*.ts', 'electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "ThrowStatement > NewExpression[callee.name='Error']", message: 'Throw a kind of shared/errors.ts: fail({ kind, message, hint }), UsageError, parseFailure or internalFailure.' }],
    },
  },
  {
    // Tests load built modules and JSON at run time; the schema check loads the validator compiled at build time.
    files: ['test/**/*.ts', 'shared/snapshot/validate.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', setInterval: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
