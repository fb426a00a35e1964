/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')

const { validateIssue, validateAction, validateOfflinePayment } = require(
  path.join(ROOT, 'utils/validate.js')
)

const VALID = {
  category: 'repair',
  title: '楼道灯不亮',
  description: '三楼\n四楼',
  location: { household_id: 11 },
}

test('a valid report passes, newlines in the description included', () => {
  expect(validateIssue(VALID)).toEqual({})
})

test('title and description lengths count characters as the server does', () => {
  const emoji = '😀'.repeat(30) // 60 UTF-16 units, 30 characters
  expect(validateIssue(Object.assign({}, VALID, { title: emoji }))).toEqual({})
  expect(validateIssue(Object.assign({}, VALID, { description: '好'.repeat(1000) }))).toEqual({})
  expect(validateIssue(Object.assign({}, VALID, { description: '好'.repeat(1001) }))).toEqual({
    description: '最多 1000 个字',
  })
})

test('a tab or control character in the description is refused', () => {
  expect(validateIssue(Object.assign({}, VALID, { description: 'a\tb' }))).toEqual({
    description: '包含不允许的字符',
  })
})

test('filing for a neighbour needs a name and a chosen room, not a place', () => {
  const neighbour = { location: null, onBehalf: true, onBehalfName: '王奶奶', householdId: 25 }
  const form = Object.assign({}, VALID, neighbour)
  expect(validateIssue(form)).toEqual({})
  expect(validateIssue(Object.assign({}, form, { householdId: '' }))).toEqual({
    household_id: '请选择居民所在的房间',
  })
})

test('optional referral fields are length-checked only when given', () => {
  const form = { referral_body: '街道', follow_up_on: '2024-12-05', referral_contact: '张'.repeat(61) }
  expect(validateAction('refer', form, { today: '2024-12-05' })).toEqual({ referral_contact: '最多 60 个字' })
})

test('accept needs nothing', () => {
  expect(validateAction('accept', {})).toEqual({})
})

describe('validateOfflinePayment', () => {
  const TODAY = '2026-12-05'
  const form = (overrides = {}) =>
    Object.assign({ billIds: [5, 6], method: 'cash', paidOn: '2026-12-05', note: '' }, overrides)

  test('bills, a method and a day up to today are enough', () => {
    expect(validateOfflinePayment(form(), TODAY)).toEqual({})
    expect(validateOfflinePayment(form({ paidOn: '2026-11-30', note: '女儿代缴' }), TODAY)).toEqual({})
  })

  test.each([
    [{ billIds: [] }, { bill_ids: '请至少选择一笔账单' }],
    [{ method: '' }, { method: '请选择缴费方式' }],
    [{ paidOn: '' }, { paid_on: '请选择缴费日期' }],
    [{ paidOn: '2026-12-06' }, { paid_on: '缴费日期不能晚于今天' }],
    [{ note: 'x'.repeat(201) }, { note: '最多 200 个字' }],
    [{ note: '第一行\n第二行' }, { note: '不能包含换行或控制字符' }],
  ])('%j is refused with %j', (overrides, errors) => {
    expect(validateOfflinePayment(form(overrides), TODAY)).toEqual(errors)
  })
})

describe('validateMeterReading', () => {
  const { validateMeterReading } = require(path.join(ROOT, 'utils/validate.js'))

  test('a month up to next month and an amount in yuan become the body sent', () => {
    expect(validateMeterReading({ unitId: 5, month: '2027-01', amount: ' 4.5 ' }, '2027-01')).toEqual({
      errors: {},
      body: { unit_id: 5, period: '2027-01', amount_fen: 450 },
    })
  })

  test.each([
    [{ unitId: 5, month: '2027-02', amount: '4.50' }, { period: '最晚只能录入下个月的电费' }],
    [{ unitId: 5, month: '', amount: '4.50' }, { period: '请选择月份' }],
    [{ unitId: 5, month: '2026-12', amount: '' }, { amount_fen: '请填写电费金额（元），最多两位小数' }],
    [{ unitId: 5, month: '2026-12', amount: '0' }, { amount_fen: '请填写电费金额（元），最多两位小数' }],
    [{ unitId: 5, month: '2026-12', amount: '4.505' }, { amount_fen: '请填写电费金额（元），最多两位小数' }],
    [{ unitId: 0, month: '2026-12', amount: '4.50' }, { unit_id: '请选择单元' }],
  ])('%j is refused before any request', (form, errors) => {
    expect(validateMeterReading(form, '2027-01')).toEqual({ errors, body: null })
  })
})

describe('names as the server takes them', () => {
  const { validateBinding, validateRedeem } = require(path.join(ROOT, 'utils/validate.js'))
  const FORM = { compound: 'aa', building: 1, unit: 1, room: '101', name: '王秀兰', relation: 'owner' }
  const nameError = (name) => validateBinding(Object.assign({}, FORM, { name })).name

  test.each(['\u200b', '\u200d', '\u200f', '\u061c', '\ufeff', '\u2060', '\u00ad', '\u3164', '\u2800'])(
    'an invisible character (%p) is refused',
    (ch) => {
      expect(nameError(`王${ch}秀兰`)).toBe('不能包含看不见的字符（如零宽空格），请删除后重新输入')
    }
  )

  test.each([
    '\ufe0f', '\ufe00', '\u034f', '\u180b', '\u180f', '\u17b4', '\u17b5', '\u2065', '\ufff0',
    '\u{1bca0}', '\u{1d173}', '\u{e0001}', '\u{e0100}', '\u{e0fff}',
  ])('every default-ignorable character (%p) is refused', (ch) => {
    expect(nameError(`王秀兰${ch}`)).toBe('不能包含看不见的字符（如零宽空格），请删除后重新输入')
  })

  test('characters next to the ignorable ones are names', () => {
    for (const name of ['王秀兰\u{1bca4}', '王秀兰\u{1d17b}', '王秀兰\u{e1000}', '王\u{20000}兰', '张三😀']) {
      expect(nameError(name)).toBeUndefined()
    }
  })

  test.each(['\u0301', '\u0301\u0308', ' \u20dd ', '\u0300 \u0301'])(
    'a name of combining marks alone (%p) is refused',
    (marks) => {
      expect(nameError(marks)).toBe('称呼里要有文字，不能只有附加符号')
    }
  )

  test('accents on letters are a name', () => {
    expect(nameError('Zoe\u0308 王')).toBeUndefined()
  })

  test('a bidi override reads like a control character', () => {
    expect(nameError('王\u202e秀兰')).toBe('不能包含换行或控制字符')
  })

  test('half of a surrogate pair is refused, a whole pair (an emoji) is a name', () => {
    expect(nameError('王\ud800')).toBe('包含无法识别的字符，请删除后重新输入')
    expect(nameError('\udc00王')).toBe('包含无法识别的字符，请删除后重新输入')
    expect(nameError('王阿姨😀')).toBeUndefined()
  })

  test('the invite form checks the name the same way', () => {
    const form = { code: 'ABCD-EFGH', name: '\u200b王', relation: 'owner' }
    expect(validateRedeem(form)).toEqual({
      name: '不能包含看不见的字符（如零宽空格），请删除后重新输入',
    })
  })

  test('a neighbour filed for is a name too', () => {
    const neighbour = { location: null, onBehalf: true, onBehalfName: '王\u200b奶奶', householdId: 25 }
    expect(validateIssue(Object.assign({}, VALID, neighbour))).toEqual({
      on_behalf_name: '不能包含看不见的字符（如零宽空格），请删除后重新输入',
    })
  })
})
