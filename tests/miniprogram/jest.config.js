// Unit tests for ../../miniprogram. Component tests render with
// miniprogram-simulate and need jsdom (the default here); API and page tests
// declare `@jest-environment node` in their docblock.
module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/**/*.test.js'],
  testPathIgnorePatterns: ['/node_modules/'],
  testEnvironment: 'jsdom',
  clearMocks: true,
}
