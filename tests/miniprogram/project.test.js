/**
 * @jest-environment node
 *
 * Whole-tree checks of ../../miniprogram that DevTools would otherwise catch
 * only when someone opens the project.
 */
const fs = require('fs')
const path = require('path')
const { ROOT } = require('./helpers/wx')

function filesUnder(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return filesUnder(full, ext)
    return full.endsWith(ext) ? [full] : []
  })
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'))
const relative = (file) => path.relative(ROOT, file)

test('every JSON file parses', () => {
  for (const file of filesUnder(ROOT, '.json')) {
    expect(() => readJson(file)).not.toThrow()
  }
})

test('every page in app.json has its js, json, wxml and wxss', () => {
  const { pages } = readJson(path.join(ROOT, 'app.json'))
  const missing = pages.flatMap((page) =>
    ['.js', '.json', '.wxml', '.wxss']
      .map((ext) => `${page}${ext}`)
      .filter((file) => !fs.existsSync(path.join(ROOT, file)))
  )
  expect(missing).toEqual([])
})

test('every usingComponents entry points at a component', () => {
  for (const file of filesUnder(ROOT, '.json')) {
    const components = readJson(file).usingComponents || {}
    for (const target of Object.values(components)) {
      const json = path.join(path.dirname(file), `${target}.json`)
      expect({ from: relative(file), ok: fs.existsSync(json) && readJson(json).component }).toEqual({
        from: relative(file),
        ok: true,
      })
    }
  }
})

test.each(['request', 'uploadFile', 'downloadFile'])('only api/http.js calls wx.%s', (name) => {
  const call = new RegExp(`\\bwx\\.${name}\\s*\\(`)
  const callers = filesUnder(ROOT, '.js')
    .filter((file) => call.test(fs.readFileSync(file, 'utf8')))
    .map(relative)
  expect(callers).toEqual(['api/http.js'])
})

// What a page or component definition offers to bind* / catch* in its WXML.
function handlersOf(jsFile) {
  let definition = {}
  global.Page = (def) => (definition = def)
  global.Component = (def) => (definition = Object.assign({}, def, def.methods))
  jest.isolateModules(() => require(jsFile))
  return Object.keys(definition).filter((key) => typeof definition[key] === 'function')
}

test('every event handler named in WXML exists in its page or component', () => {
  const missing = []
  // A page's WXML with the parts it includes (pages/report/form.wxml); a
  // part is checked within the pages including it, against their handlers.
  const withIncludes = (file) =>
    fs
      .readFileSync(file, 'utf8')
      .replace(/<include\s+src="([^"]+)"\s*\/>/g, (_, src) => withIncludes(path.join(path.dirname(file), src)))
  const included = new Set()
  for (const wxml of filesUnder(ROOT, '.wxml')) {
    for (const [, src] of fs.readFileSync(wxml, 'utf8').matchAll(/<include\s+src="([^"]+)"/g)) {
      included.add(path.join(path.dirname(wxml), src))
    }
  }
  expect(included.size).toBeGreaterThan(0)
  for (const wxml of filesUnder(ROOT, '.wxml')) {
    const js = wxml.replace(/\.wxml$/, '.js')
    if (!fs.existsSync(js) || included.has(wxml)) continue
    const handlers = handlersOf(js)
    const named = withIncludes(wxml).matchAll(/\b(?:bind|catch):?[a-z]+="([^"{}]+)"/g)
    for (const [, name] of named) {
      if (!handlers.includes(name)) missing.push(`${relative(wxml)}: ${name}`)
    }
  }
  expect(missing).toEqual([])
})

test('only api/auth.js calls wx.login', () => {
  const callers = filesUnder(ROOT, '.js')
    .filter((file) => /\bwx\.login\s*\(/.test(fs.readFileSync(file, 'utf8')))
    .map(relative)
  expect(callers).toEqual(['api/auth.js'])
})

// WeChat's own WXML/WXSS compilers (wcc, wcsc), shipped as Linux/macOS/Windows
// binaries in miniprogram-compiler, a dependency of miniprogram-simulate.
describe('WeChat compilers accept the whole tree', () => {
  const compiler = require('miniprogram-compiler')

  test('WXML', () => {
    expect(() => compiler.wxmlToJs(ROOT)).not.toThrow()
  })

  test('WXSS', () => {
    expect(() => compiler.wxssToJs(ROOT)).not.toThrow()
  })
})

// WeChat DevTools opens miniprogram/ as it is (README: "Trying the
// mini-program in WeChat DevTools").
describe('project.config.json opens in WeChat DevTools', () => {
  const project = readJson(path.join(ROOT, 'project.config.json'))
  const { apiBase } = require(path.join(ROOT, 'config/index.js'))
  const baseIn = (envVersion) => {
    global.wx = { getAccountInfoSync: () => ({ miniProgram: { envVersion } }) }
    return apiBase()
  }

  test('as a tourist project (touristappid) until someone puts in their own AppID', () => {
    expect(project.appid).toBe('touristappid')
    expect(project.compileType).toBe('miniprogram')
    expect(fs.existsSync(path.join(ROOT, project.miniprogramRoot, 'app.json'))).toBe(true)
    expect(project.libVersion).toMatch(/^\d+\.\d+\.\d+$/)
  })

  // The develop build talks plain http to `make run` on this computer, which
  // only an unchecked domain list allows.
  test('it skips the domain check, which the local http API needs', () => {
    expect(baseIn('develop')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(project.setting.urlCheck).toBe(false)
  })

  // 合法域名 take https only, never an IP address or localhost.
  test.each(['trial', 'release', 'unknown'])('the %s build talks https to a domain name', (envVersion) => {
    expect(baseIn(envVersion)).toMatch(/^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/)
  })
})

// WeChat refuses a privacy API (用户隐私保护指引) the guide does not declare:
// the README's DevTools section names every one the code calls.
describe('the privacy guide in the README covers the code', () => {
  const PRIVACY_APIS = [
    'chooseMedia',
    'chooseImage',
    'chooseVideo',
    'chooseMessageFile',
    'getClipboardData',
    'setClipboardData',
    'getLocation',
    'getFuzzyLocation',
    'chooseLocation',
    'choosePoi',
    'chooseAddress',
    'chooseInvoice',
    'chooseInvoiceTitle',
    'chooseLicensePlate',
    'saveImageToPhotosAlbum',
    'saveVideoToPhotosAlbum',
    'startRecord',
    'getRecorderManager',
    'joinVoIPChat',
    'createVKSession',
    'addPhoneContact',
    'addPhoneCalendar',
    'addPhoneRepeatCalendar',
    'getWeRunData',
    'openBluetoothAdapter',
    'authorize',
  ]
  // Components and attributes that collect personal information.
  const PRIVACY_MARKUP = [
    'open-type="getPhoneNumber"',
    'open-type="getRealtimePhoneNumber"',
    'open-type="chooseAvatar"',
    'type="nickname"',
    '<camera',
  ]

  const readme = fs.readFileSync(path.join(ROOT, '..', 'README.md'), 'utf8')
  const start = readme.indexOf('### Trying the mini-program in WeChat DevTools')
  const section = readme.slice(start, readme.indexOf('\n#', start + 1))
  const code = filesUnder(ROOT, '.js').map((file) => fs.readFileSync(file, 'utf8')).join('\n')
  const markup = filesUnder(ROOT, '.wxml').map((file) => fs.readFileSync(file, 'utf8')).join('\n')

  test('the section exists and declares the photos from the camera and the album', () => {
    expect(start).toBeGreaterThan(0)
    expect(section).toMatch(/选中的照片或视频信息/)
    expect(section).toMatch(/相机/)
    expect(section).toMatch(/相册/)
  })

  test('every privacy API the code calls is named there', () => {
    const called = PRIVACY_APIS.filter((name) => new RegExp(`\\bwx\\.${name}\\s*\\(`).test(code))
    expect(called).toContain('chooseMedia')
    expect(called.filter((name) => !section.includes(`wx.${name}`))).toEqual([])
  })

  test('every privacy component or attribute the pages use is named there', () => {
    const used = PRIVACY_MARKUP.filter((marker) => markup.includes(marker))
    expect(used.filter((marker) => !section.includes(marker))).toEqual([])
  })
})
