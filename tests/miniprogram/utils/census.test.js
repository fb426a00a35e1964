/**
 * @jest-environment node
 *
 * utils/census.js and utils/sweep.js: phones checked as the server checks them,
 * coverage and progress with nothing to count, an anonymised member, a door
 * never visited.
 */
const { cleanPhone, validateMember, coverageView, memberView, dayText } = require('../../../miniprogram/utils/census')
const { progressView, doorView, checksFor } = require('../../../miniprogram/utils/sweep')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

test.each([
  ['138 1234 5678', '13812345678'],
  ['0351-1234567', '0351-1234567'],
  ['03511234567', '03511234567'],
  ['', ''],
  ['12345', null],
  ['+8613812345678', null],
])('cleanPhone(%p) is %p', (typed, clean) => {
  expect(cleanPhone(typed)).toBe(clean)
})

test('a member form with everything right has no errors', () => {
  expect(validateMember({ name: '王秀兰', relation: 'owner', ageBand: '80_plus', phone: '' })).toEqual({})
  expect(validateMember({ name: ' ', relation: 'neighbour', ageBand: '100', phone: '1' })).toEqual({
    name: '请填写称呼，如 王秀兰 或 王奶奶',
    relation: '请选择与本户的关系',
    age_band: '请选择年龄段',
    phone: '电话号码不对：手机号是 11 位数字，座机请带区号',
  })
})

test('nothing to count shows an empty bar, never more than full', () => {
  expect(coverageView(undefined)).toMatchObject({ households: 0, percent: 0, barStyle: 'width: 0%', line: '已登记确认 0 / 0 户' })
  expect(coverageView({ households: 2, confirmed: 5, stale: 0 })).toMatchObject({ confirmed: 2, percent: 100 })
  expect(progressView({ visited: 0, total: 0 })).toMatchObject({ percent: 0, line: '已走访 0 / 0 户' })
})

test('an anonymised member and a masked phone', () => {
  expect(memberView({ id: 1, name: null, relation: 'family', age_band: null, phone: '138****5678' })).toMatchObject({
    name: '（已匿名）',
    details: '家属',
    callable: false,
    wechat: '不用微信',
  })
})

test('a date of this year without the year, another year with it', () => {
  const today = todayInShanghai()
  expect(dayText(today)).toBe(`${Number(today.slice(5, 7))}月${Number(today.slice(8, 10))}日`)
  expect(dayText('2001-03-04')).toBe('2001年3月4日')
  expect(dayText(null)).toBe('')
})

test('a door never visited and a checklist with nothing recorded', () => {
  expect(doorView({ household_id: 3, label: '1-1-101', result: null })).toMatchObject({ visited: false, state: '未走访', issue: '' })
  expect(checksFor(['楼道杂物'], null)).toEqual([{ index: 0, item: '楼道杂物', ok: null, note: '' }])
})
