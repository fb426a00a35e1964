/**
 * @jest-environment node
 *
 * utils/desk.js: what a scanned code is, who gets 电脑端, a refusal in plain
 * words, and a signed-in computer's times in Shanghai.
 */
const {
  readScan,
  pageFor,
  canUseDesk,
  deskProblem,
  scanFailure,
  scanView,
  shanghaiTime,
  sessionView,
} = require('../../../miniprogram/utils/desk')
const { COMMITTEE, SUPERVISOR, RESIDENT, LIAISON } = require('../helpers/fixtures')

// 2026-12-06 10:00 in Shanghai.
const NOW = Date.parse('2026-12-06T02:00:00Z')

test.each([
  ['linli-console:abcdefghijklmnopqrstuvwx', { kind: 'desk', ticket: 'abcdefghijklmnopqrstuvwx' }],
  ['  LINLI-CONSOLE:abc_DEF-123  ', { kind: 'desk', ticket: 'abc_DEF-123' }],
  ['linli-role:ABCD-2345', { kind: 'role', code: 'ABCD-2345' }],
  ['linli-console:', { kind: 'other' }],
  ['linli-console:a b<script>', { kind: 'other' }],
  ['linli-role:', { kind: 'other' }],
  ['https://example.com/pay', { kind: 'other' }],
  ['', { kind: 'other' }],
])('%j is read as %j', (text, read) => {
  expect(readScan(text)).toEqual(read)
})

test('a good code leads to its page, anything else nowhere', () => {
  expect(pageFor({ kind: 'desk', ticket: 'abc_DEF-123' })).toBe('/pages/desk-login/index?ticket=abc_DEF-123')
  expect(pageFor({ kind: 'role', code: 'ABCD 2345' })).toBe('/pages/redeem/index?code=ABCD%202345')
  expect(pageFor({ kind: 'other' })).toBe('')
})

test('电脑端 is for the committee, the supervisor and the admin only', () => {
  const admin = { id: 9, roles: [{ role: 'admin', scope: 'platform', scope_id: null, compound: null, compound_name: null, label: '平台' }], households: [] }
  expect([COMMITTEE, SUPERVISOR, admin].map(canUseDesk)).toEqual([true, true, true])
  expect([RESIDENT, LIAISON, { roles: [] }, {}, null].map(canUseDesk)).toEqual([false, false, false, false, false])
})

test('refusals in plain words; scanning again offered only where it helps', () => {
  expect(deskProblem({ code: 'console_ticket_expired' })).toEqual({
    title: '二维码已过期',
    hint: '请在电脑上刷新二维码后再扫。',
    again: true,
  })
  expect(deskProblem({ code: 'console_ticket_used' })).toMatchObject({ hint: '请在电脑上刷新二维码后再扫。', again: true })
  expect(deskProblem({ code: 'console_ticket_not_found' })).toMatchObject({ title: '这不是邻里电脑端的登录二维码', again: true })
  const refused = { code: 'console_not_allowed', message: '只有业委会成员、财务监督和管理员可以登录电脑端' }
  expect(deskProblem(refused)).toMatchObject({ title: refused.message, again: false })
  expect(deskProblem({ code: 'network_error', message: '网络不给力，请稍后再试' })).toBe(null)
})

test('a scan that read nothing: a cancel says nothing, no camera cannot be helped by scanning again', () => {
  expect(scanFailure({ errMsg: 'scanCode:fail cancel' })).toBe(null)
  expect(scanFailure({ errMsg: 'scanCode:fail auth deny' })).toMatchObject({ again: false })
  expect(scanFailure({ errMsg: 'scanCode:fail' })).toMatchObject({ title: '没有扫到二维码', again: true })
})

test("the scan's answer: compounds with the role in plain words", () => {
  const view = scanView({
    browser: 'Edge · Windows',
    expires_at: '2026-12-06T10:05:00+08:00',
    compounds: [{ id: 1, name: '阳光小区', role: 'committee' }, { id: 2, name: '红旗小区', role: 'admin' }],
  })
  expect(view).toEqual({
    browser: 'Edge · Windows',
    compoundIndex: 0,
    compounds: [
      { id: 1, name: '阳光小区', roleText: '业委会委员' },
      { id: 2, name: '红旗小区', roleText: '平台管理员' },
    ],
  })
})

test('times are shown in Shanghai whatever offset they came with', () => {
  expect(shanghaiTime('2026-12-06T09:30:00+08:00', NOW)).toBe('12月6日 09:30')
  expect(shanghaiTime('2026-12-05T17:45:00Z', NOW)).toBe('12月6日 01:45')
  expect(shanghaiTime('2025-12-31T23:00:00+08:00', NOW)).toBe('2025年12月31日 23:00')
  expect(shanghaiTime(null, NOW)).toBe('')
  expect(
    sessionView(
      { id: 4, browser: 'Chrome · Windows', compound: { id: 1, name: '阳光小区' }, signed_in_at: '2026-12-06T01:15:00Z', last_seen_at: '2026-12-06T09:58:00+08:00' },
      NOW
    )
  ).toEqual({ id: 4, browser: 'Chrome · Windows', compound: '阳光小区', signedIn: '12月6日 09:15', lastSeen: '12月6日 09:58' })
})
