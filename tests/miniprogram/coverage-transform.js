// babel-jest, with the coverage plugin's working folder set to rootDir (the
// repository) instead of the folder jest was started in: babel-jest hands
// istanbul `config.cwd`, and istanbul leaves out every file outside it, so
// `cd tests/miniprogram && npx jest --coverage` would measure nothing of
// ../../miniprogram.
const babelJest = require('babel-jest').default

const transformer = babelJest.createTransformer()

// The options jest passes, with cwd moved up to rootDir.
const fromRoot = (options) =>
  Object.assign({}, options, { config: Object.assign({}, options.config, { cwd: options.config.rootDir }) })

module.exports = {
  canInstrument: true,
  getCacheKey: (source, filename, options) => transformer.getCacheKey(source, filename, fromRoot(options)),
  process: (source, filename, options) => transformer.process(source, filename, fromRoot(options)),
}
