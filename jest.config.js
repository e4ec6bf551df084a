/** Jest runs the TypeScript sources through ts-jest in transpile-only mode; `npm run typecheck` checks types. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // ky is ESM-only, so jest must transform it like the project's own files.
  transformIgnorePatterns: ['/node_modules/(?!(ky)/)'],
  testTimeout: 60000,
};
