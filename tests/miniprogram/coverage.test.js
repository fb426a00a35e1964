/**
 * @jest-environment node
 *
 * `npx jest --coverage` measures ../../miniprogram, not the test helpers.
 */
const fs = require('fs')
const path = require('path')
const { globsToMatcher } = require('jest-util')
const config = require('./jest.config')
const transformer = require('./coverage-transform')
const { ROOT } = require('./helpers/wx')

const fromRoot = (file) => path.relative(config.rootDir, file)
const collected = globsToMatcher(config.collectCoverageFrom)

test('every page, api and util file is collected; tests and npm packages are not', () => {
  for (const file of ['pages/review/index.js', 'api/request.js', 'utils/labels.js', 'app.js']) {
    expect([file, collected(fromRoot(path.join(ROOT, file)))]).toEqual([file, true])
  }
  for (const file of ['miniprogram_npm/tdesign-miniprogram/button/button.js', 'node_modules/x/index.js']) {
    expect([file, collected(fromRoot(path.join(ROOT, file)))]).toEqual([file, false])
  }
  expect(collected(fromRoot(path.join(__dirname, 'helpers/wx.js')))).toBe(false)
})

// Jest starts in tests/miniprogram, and babel-jest would hand istanbul that
// folder as its cwd: every mini-program file would come back uninstrumented.
test('the transform instruments a mini-program file when jest runs from this folder', () => {
  const file = path.join(ROOT, 'utils/query.js')
  const source = fs.readFileSync(file, 'utf8')
  const options = {
    instrument: true,
    cacheFS: new Map(),
    configString: '{}',
    config: { rootDir: config.rootDir, cwd: __dirname, cacheDirectory: '/tmp' },
    transformerConfig: {},
    supportsDynamicImport: false,
    supportsExportNamespaceFrom: false,
    supportsStaticESM: false,
    supportsTopLevelAwait: false,
  }
  const { code } = transformer.process(source, file, options)
  expect(code).toContain('__coverage__')
  const plain = transformer.process(source, file, Object.assign({}, options, { instrument: false }))
  expect(plain.code).not.toContain('__coverage__')
})
