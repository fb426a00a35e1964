/**
 * @jest-environment node
 *
 * Readable by elderly residents: type follows WeChat's font setting, text
 * stands out from its background (WCAG's 4.5:1), buttons are big enough for an
 * unsteady finger. Checked on the WXSS itself for the pages 谁能收到提醒 and
 * 电费录入 and for what the two-person, push and order-cancelling changes added
 * to the other pages (older pages still hold grey #8f959e text and
 * size="mini" buttons: see the table's scope).
 */
const fs = require('fs')
const path = require('path')
const { ROOT } = require('./helpers/wx')

// A file as WeChat builds it: a WXML <include src> and a WXSS @import pulled
// in, so a part two pages share (pages/report/form.wxml) is checked on both.
function read(file) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const inner = (src) => read(path.posix.join(path.posix.dirname(file), src))
  if (file.endsWith('.wxml')) return text.replace(/<include\s+src="([^"]+)"\s*\/>/g, (_, src) => inner(src))
  if (file.endsWith('.wxss')) return text.replace(/@import\s+["']([^"']+)["'];?/g, (_, src) => inner(src))
  return text
}

function filesUnder(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'miniprogram_npm' ? [] : filesUnder(full, ext)
    return full.endsWith(ext) ? [full] : []
  })
}

// [{selectors: ['.a', '.b .c'], decls: {color: '#fff'}}] in source order.
function rules(wxss) {
  const rulesFound = []
  const text = wxss.replace(/\/\*[\s\S]*?\*\//g, '')
  for (const match of text.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const decls = {}
    for (const decl of match[2].split(';')) {
      const at = decl.indexOf(':')
      if (at > 0) decls[decl.slice(0, at).trim()] = decl.slice(at + 1).trim()
    }
    rulesFound.push({ selectors: match[1].split(',').map((s) => s.trim().replace(/\s+/g, ' ')), decls })
  }
  return rulesFound
}

// What `property` of `selector` comes to on a page: app.wxss first, the
// page's WXSS after it (WeChat lets the page's win), the last rule winning.
function declared(page, selector, property) {
  const all = rules(read('app.wxss')).concat(rules(read(`pages/${page}/index.wxss`)))
  let value
  for (const rule of all) {
    if (rule.selectors.includes(selector) && rule.decls[property]) value = rule.decls[property]
  }
  return value
}

function luminance(hex) {
  const digits = hex.replace('#', '')
  const full = digits.length === 3 ? digits.replace(/./g, (c) => c + c) : digits
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255)
  const linear = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (light + 0.05) / (dark + 0.05)
}

test('contrast is computed as WCAG does', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
  expect(contrast('#8f959e', '#ffffff')).toBeCloseTo(3.02, 2)
})

test('no font size is fixed in px: type follows WeChat\'s font setting', () => {
  const fixed = []
  for (const file of filesUnder(ROOT, '.wxss').concat(filesUnder(ROOT, '.wxml'))) {
    const text = fs.readFileSync(file, 'utf8')
    if (/font(-size)?\s*:[^;"}]*\d\s*px/i.test(text)) fixed.push(path.relative(ROOT, file))
  }
  expect(fixed).toEqual([])
})

const WHITE = '#ffffff' // a .card
const PAGE_GREY = '#f5f6f7' // the page itself, and input fields
const BUTTON_GREY = '#f2f2f2' // a plain <button>: the darker of WeChat's defaults

// [page, the text's selector, its background: a colour or the selector that sets it]
const TEXT = [
  ['reach', '.empty', PAGE_GREY],
  ['reach', '.error-text', WHITE],
  ['reach', '.headline--gap', WHITE],
  ['reach', '.headline--ok', WHITE],
  ['reach', '.unit-status--no_liaison', WHITE],
  ['reach', '.unit-status--low', WHITE],
  ['reach', '.unit-status--ok', WHITE],
  ['reach', '.person-text--warn', WHITE],
  ['meter', '.muted', WHITE],
  ['meter', '.empty', PAGE_GREY],
  ['meter', '.placeholder', '.input'],
  ['meter', '.error-text', WHITE],
  ['meter', '.notice', WHITE],
  ['meter', '.reading--pending .reading-status', WHITE],
  ['meter', '.reading--voided .reading-amount', WHITE],
  ['meter', '.reading-flag', WHITE],
  ['meter', '.void', '.void'],
  ['meter', '.btn-primary', '.btn-primary'],
  ['confirm', '.change-meta', WHITE],
  ['confirm', '.changes-empty', PAGE_GREY],
  ['confirm', '.changes-error .error-text', WHITE],
  ['confirm', '.change-effective', WHITE],
  ['confirm', '.change-flag', '.change-flag'],
  ['confirm', '.decide--reject', '.decide--reject'],
  ['confirm', '.btn-primary', '.decide--confirm'],
  ['workspace', '.push-line--low', WHITE],
  ['workspace', '.push-hint', WHITE],
  ['workspace', '.push-error .error-text', WHITE],
  ['workspace', '.btn-primary', '.push-ask'],
  ['issue', '.offer-line', WHITE],
  ['issue', '.offer-hint', WHITE],
  ['issue', '.btn-primary', '.offer-ask'],
  ['bills', '.bill-cancelled', WHITE],
  ['bills', '.bill--cancelled .bill-amount', WHITE],
  ['bills', '.cancel-order', BUTTON_GREY],
  ['collect', '.order-hint', WHITE],
  ['collect', '.bill-pending', WHITE],
  ['collect', '.order-notice', WHITE],
  ['collect', '.cancel-order', BUTTON_GREY],
  ['collection', '.pending-refund', WHITE],
  ['bind', '.full', WHITE],
  ['index', '.reach-hint', WHITE],
  ['review', '.summary', PAGE_GREY],
  ['review', '.end', PAGE_GREY],
]

test.each(TEXT)('%s: %s reads at 4.5:1 or more on its background', (page, selector, background) => {
  const color = declared(page, selector, 'color')
  const behind = background.startsWith('#') ? background : declared(page, background, 'background')
  expect({ color, behind }).toEqual({ color: expect.stringMatching(/^#/), behind: expect.stringMatching(/^#/) })
  expect(contrast(color, behind)).toBeGreaterThanOrEqual(4.5)
})

// [page, the button's class]: every action button of the new pages and the
// ones the changes added elsewhere.
const BUTTONS = [
  ['meter', 'submit'],
  ['meter', 'void'],
  ['meter', 'retry'],
  ['confirm', 'decide'],
  ['confirm', 'retry'],
  ['workspace', 'push-ask'],
  ['workspace', 'retry'],
  ['issue', 'offer-ask'],
  ['bills', 'cancel-order'],
  ['collect', 'cancel-order'],
  ['review', 'action'],
  ['review', 'more'],
]

const buttonTags = (page, name) =>
  Array.from(read(`pages/${page}/index.wxml`).matchAll(/<button\b[^>]*>/g))
    .map(([tag]) => tag)
    .filter((tag) => (/\bclass="([^"]*)"/.exec(tag) || [])[1].split(/\s+/).includes(name))

test.each(BUTTONS)('%s: the .%s buttons are full size, at least 88rpx tall', (page, name) => {
  const tags = buttonTags(page, name)
  expect(tags.length).toBeGreaterThan(0)
  for (const tag of tags) expect(tag).not.toMatch(/size="mini"/)
  const height = declared(page, `.${name}`, 'min-height')
  expect(Number(/^(\d+)rpx$/.exec(height)[1])).toBeGreaterThanOrEqual(88)
})

test.each(['reach', 'meter'])('the new page %s has no mini button', (page) => {
  expect(read(`pages/${page}/index.wxml`)).not.toMatch(/size="mini"/)
})

// ---------------------------------------------------------------------------
// Every page and component (issue 9): type in rem and never below 1rem
// (32rpx at WeChat's standard size, scaled with the font setting, see
// utils/font.js), contrast 4.5:1 or more for every colour the stylesheet
// pairs, buttons 88rpx tall and never mini, a label on every symbol-only
// control and a role on every tappable view.

const APP = JSON.parse(read('app.json'))
const COMPONENTS = fs
  .readdirSync(path.join(ROOT, 'components'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `components/${entry.name}/index`)
const CHECKED = APP.pages.concat(COMPONENTS)

const FORBIDDEN = ['#8f959e', '#d54941', '#2ba471', '#07c160']
const TEXT_BACKGROUNDS = [WHITE, PAGE_GREY]
const SYMBOLS = /^[\s＋+×✕xX★☆›‹»«▾▸▴▲▼◀▶…·\-—✓✔︎]*$/

const isHex = (value) => /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value || '')

// rgba(…) as the colour it makes over white: the lightest it can look, so
// the worst case for white text on a see-through mask over a photo.
function solid(value) {
  const match = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(value || '')
  if (!match) return value
  const alpha = match[4] === undefined ? 1 : Number(match[4])
  const channel = (c) => Math.round(Number(c) * alpha + 255 * (1 - alpha))
  return `#${[match[1], match[2], match[3]].map((c) => channel(c).toString(16).padStart(2, '0')).join('')}`
}

// The rules a page or component is styled by: app.wxss, then its own.
function stylesFor(base) {
  const own = fs.existsSync(path.join(ROOT, `${base}.wxss`)) ? rules(read(`${base}.wxss`)) : []
  return rules(read('app.wxss')).concat(own)
}

// What `property` of `.name` comes to (the last rule naming the class alone).
function classValue(allRules, name, property) {
  let value
  for (const rule of allRules) {
    if (rule.selectors.includes(`.${name}`) && rule.decls[property]) value = rule.decls[property]
  }
  return value
}

test('every page of app.json and every component is checked', () => {
  expect(COMPONENTS.length).toBeGreaterThan(0)
  expect(APP.pages.length).toBeGreaterThanOrEqual(15)
  for (const base of CHECKED) expect(fs.existsSync(path.join(ROOT, `${base}.wxss`))).toBe(true)
})

test.each(['app'].concat(CHECKED))('%s: every font size is 1rem or more', (base) => {
  const sizes = rules(read(`${base}.wxss`)).flatMap((rule) =>
    rule.decls['font-size'] ? [`${rule.selectors.join(', ')}: ${rule.decls['font-size']}`] : []
  )
  const wrong = sizes.filter((line) => {
    const match = /:\s*([\d.]+)rem$/.exec(line)
    return !match || Number(match[1]) < 1
  })
  expect(wrong).toEqual([])
})

test.each(['app'].concat(CHECKED))('%s: every colour pair reads at 4.5:1 or more', (base) => {
  const low = []
  const text = read(`${base}.wxss`).replace(/\/\*[\s\S]*?\*\//g, '').toLowerCase()
  for (const colour of FORBIDDEN) if (text.includes(colour)) low.push(`uses ${colour}`)
  for (const rule of rules(read(`${base}.wxss`))) {
    const color = rule.decls.color
    const background = solid(rule.decls.background || rule.decls['background-color'])
    if (!isHex(color)) continue
    const behind = isHex(background) ? [background] : TEXT_BACKGROUNDS
    for (const b of behind) {
      const ratio = contrast(color, b)
      if (ratio < 4.5) low.push(`${rule.selectors.join(', ')}: ${color} on ${b} is ${ratio.toFixed(2)}:1`)
    }
  }
  expect(low).toEqual([])
})

// The opening tags of a WXML file with their attributes and the text inside
// (tags stripped, {{…}} kept: it shows something).
function elements(wxml) {
  const source = wxml.replace(/<!--[\s\S]*?-->/g, '')
  const found = []
  const tag = /<(\/?)([a-z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g
  const open = []
  let match
  while ((match = tag.exec(source))) {
    const [whole, closing, name, attrs, selfClosing] = match
    if (closing) {
      for (let i = open.length - 1; i >= 0; i -= 1) {
        if (open[i].name === name) {
          const [el] = open.splice(i, 1)
          el.inner = source.slice(el.end, match.index)
          break
        }
      }
      continue
    }
    const attributes = {}
    for (const [, key, value] of attrs.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) attributes[key] = value === undefined ? true : value
    const el = { name, attributes, inner: '', end: match.index + whole.length }
    found.push(el)
    if (!selfClosing) open.push(el)
  }
  return found
}

const visibleText = (inner) => inner.replace(/<[^>]*>/g, '').trim()

test.each(CHECKED)('%s: every button is full size, 88rpx or more, never mini', (base) => {
  const styles = stylesFor(base)
  const small = []
  for (const el of elements(read(`${base}.wxml`)).filter((e) => e.name === 'button')) {
    const classes = String(el.attributes.class || '').split(/\s+/).filter((c) => c && !c.includes('{{'))
    const heights = classes
      .map((name) => classValue(styles, name, 'min-height'))
      .map((value) => Number((/^(\d+)rpx$/.exec(value || '') || [])[1] || 0))
    const label = `<button class="${el.attributes.class || ''}">${visibleText(el.inner)}`
    if (el.attributes.size === 'mini') small.push(`${label}: size="mini"`)
    if (!(Math.max(0, ...heights) >= 88)) small.push(`${label}: no class gives min-height ≥ 88rpx`)
  }
  expect(small).toEqual([])
})

test.each(CHECKED)('%s: symbol-only controls have a label, tappable views a role', (base) => {
  const missing = []
  for (const el of elements(read(`${base}.wxml`))) {
    const handler = el.attributes.bindtap || el.attributes.catchtap || el.attributes['bind:tap']
    const interactive = el.name === 'button' || (handler && handler !== 'noop')
    if (!interactive) continue
    const text = visibleText(el.inner)
    const label = el.attributes['aria-label']
    const what = `<${el.name} ${handler || ''}>${text}`
    if (el.name !== 'button' && !el.attributes['aria-role']) missing.push(`${what}: no aria-role`)
    if (SYMBOLS.test(text) && !label) missing.push(`${what}: no aria-label`)
  }
  expect(missing).toEqual([])
})

test('the tab bar reads at 4.5:1 or more, selected or not', () => {
  const { color, selectedColor, backgroundColor } = APP.tabBar
  expect(contrast(color, backgroundColor)).toBeGreaterThanOrEqual(4.5)
  expect(contrast(selectedColor, backgroundColor)).toBeGreaterThanOrEqual(4.5)
})

test('the rules above catch what they are for', () => {
  const wxml = '<view bindtap="remove">×</view><button size="mini" class="x">好</button><view catchtap="noop"></view>'
  const els = elements(wxml)
  expect(els.map((e) => e.name)).toEqual(['view', 'button', 'view'])
  expect(SYMBOLS.test(visibleText(els[0].inner))).toBe(true)
  expect(els[1].attributes.size).toBe('mini')
  expect(SYMBOLS.test('我要报事')).toBe(false)
  expect(contrast('#646a73', PAGE_GREY)).toBeGreaterThanOrEqual(4.5)
  expect(contrast('#ffffff', '#06813f')).toBeGreaterThanOrEqual(4.5)
  expect(contrast('#ffffff', '#07c160')).toBeLessThan(4.5)
  expect(solid('rgba(0, 0, 0, 0.5)')).toBe('#808080')
  expect(solid('#123456')).toBe('#123456')
})

// The root font size that makes 1rem follow WeChat's font setting: page-meta
// must be the page's first node, fed by utils/page.js.
test.each(CHECKED.filter((base) => base.startsWith('pages/')))(
  '%s: type follows WeChat\'s font size (page-meta first, from the page helper)',
  (base) => {
    const wxml = read(`${base}.wxml`).replace(/<!--[\s\S]*?-->/g, '').trimStart()
    expect(wxml.startsWith('<page-meta root-font-size="{{rootFontSize}}"')).toBe(true)
    expect(read(`${base}.js`)).toMatch(/require\('\.\.\/\.\.\/utils\/page'\)/)
  }
)
