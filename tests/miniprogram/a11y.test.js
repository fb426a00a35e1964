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

const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8')

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
  ['reach', 'retry'],
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
