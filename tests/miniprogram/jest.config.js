// Unit tests for ../../miniprogram. Component tests render with
// miniprogram-simulate and need jsdom (the default here); API and page tests
// declare `@jest-environment node` in their docblock.
//
// rootDir is the repository, not this folder: coverage instruments only files
// under rootDir (babel-plugin-istanbul leaves out anything outside its cwd), so
// with rootDir here `--coverage` would measure the test helpers alone.
const path = require('path')

module.exports = {
  rootDir: path.join(__dirname, '../..'),
  roots: ['<rootDir>/tests/miniprogram', '<rootDir>/miniprogram'],
  testMatch: ['<rootDir>/tests/miniprogram/**/*.test.js'],
  testPathIgnorePatterns: ['/node_modules/'],
  testEnvironment: 'jsdom',
  clearMocks: true,
  // `npx jest --coverage`: every file of the mini-program, tested or not,
  // printed as a table (nothing written to disk).
  collectCoverageFrom: ['miniprogram/**/*.js', '!**/node_modules/**', '!**/miniprogram_npm/**'],
  coverageReporters: ['text'],
  transform: { '\\.js$': '<rootDir>/tests/miniprogram/coverage-transform.js' },
  coverageDirectory: '<rootDir>/tests/miniprogram/coverage',
}
