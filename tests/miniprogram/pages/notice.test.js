/**
 * @jest-environment node
 *
 * 公告: one announcement with its photos (tap to enlarge), marked read by the
 * server; 未读住户 for a liaison under an urgent one; 撤回 for the committee.
 */
const { installWx, requestsMade, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { RESIDENT, LIAISON, COMMITTEE } = require('../helpers/fixtures')

const NOW = Date.parse('2026-12-05T02:00:00Z')
const ONE = 'GET /api/v1/announcements/7'
const UNREAD = 'GET /api/v1/announcements/7/unread-households'
const WITHDRAW = 'POST /api/v1/announcements/7/withdraw'

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const NOTICE = {
  id: 7,
  title: '明天停水',
  urgent: true,
  audience: 'unit',
  audience_label: '1号楼2单元',
  pinned: false,
  pinned_until: null,
  created_at: '2026-12-04T09:30:00+08:00',
  read: true,
  withdrawn: false,
  excerpt: '明天上午停水',
  body: '明天上午 8 点到 12 点停水，请提前储水。',
  photos: [31, 32],
  withdrawn_at: null,
  actions: [],
}
const WITHDRAWABLE = Object.assign({}, NOTICE, { actions: ['withdraw'] })

const UNREAD_ANSWER = {
  announcement_id: 7,
  unread: 2,
  no_app: 1,
  units: [
    {
      label: '1-2',
      households_total: 3,
      unread: 2,
      households: [
        { household_id: 1, label: '1-2-101', uses_app: false, note: '没有人用小程序，请上门告知' },
        { household_id: 2, label: '1-2-102', uses_app: true, note: '家里有人用小程序，但还没有打开' },
      ],
    },
  ],
}

async function openNotice(user, notice = NOTICE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(ONE, { status: 200, body: notice })
  const page = createPage('notice')
  await page.onLoad({ id: '7' })
  return page
}

test('a resident reads it with its photos, and taps one to enlarge; no 未读住户, no 撤回', async () => {
  server.on('GET /api/v1/uploads/31', { status: 200 })
  server.on('GET /api/v1/uploads/32', { status: 200 })
  const page = await openNotice(RESIDENT)
  expect(page.data.notice).toMatchObject({ title: '明天停水', urgent: true, audience: '1号楼2单元', body: NOTICE.body })
  expect(page.data.photoList).toEqual([
    { id: 31, path: 'wxfile://tmp/api/v1/uploads/31' },
    { id: 32, path: 'wxfile://tmp/api/v1/uploads/32' },
  ])
  expect(page.data.unread).toBeNull()
  expect(page.data.canWithdraw).toBe(false)
  expect(requestsMade(wx)).not.toContain(UNREAD)
  page.previewPhoto(tap({ path: 'wxfile://tmp/api/v1/uploads/32' }))
  expect(wx.previewImage).toHaveBeenCalledWith({
    urls: ['wxfile://tmp/api/v1/uploads/31', 'wxfile://tmp/api/v1/uploads/32'],
    current: 'wxfile://tmp/api/v1/uploads/32',
  })
})

test('a liaison sees which households have not opened an urgent notice, and where to knock', async () => {
  server.on(UNREAD, { status: 200, body: UNREAD_ANSWER })
  const page = await openNotice(LIAISON)
  expect(page.data.unread).toEqual({
    unread: 2,
    noApp: 1,
    units: [
      {
        label: '1号楼2单元',
        summary: '共 3 户，2 户未读',
        households: [
          { key: 1, label: '1-2-101', note: '没有人用小程序，请上门告知', knock: true },
          { key: 2, label: '1-2-102', note: '家里有人用小程序，但还没有打开', knock: false },
        ],
      },
    ],
  })
})

test('not an urgent notice: 未读住户 is not asked; a refusal hides it, another failure is said', async () => {
  const plain = await openNotice(LIAISON, Object.assign({}, NOTICE, { urgent: false, photos: [] }))
  expect(requestsMade(wx)).not.toContain(UNREAD)
  expect(plain.data.unread).toBeNull()

  server.on(UNREAD, { status: 403, body: { code: 'not_a_liaison', message: '只有单元联络人和业委会可以查看未读住户' } })
  const refused = await openNotice(LIAISON)
  expect(refused.data).toMatchObject({ unread: null, unreadError: '' })

  server.on(UNREAD, { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } })
  const failed = await openNotice(LIAISON)
  expect(failed.data).toMatchObject({ unread: null, unreadError: '服务暂时不可用', loaded: true, error: '' })
})

test('撤回 only where the server offers it: a committee member of another compound sees none', async () => {
  server.on(UNREAD, { status: 200, body: UNREAD_ANSWER })
  const page = await openNotice(COMMITTEE)
  expect(page.data.canWithdraw).toBe(false)
})

test('the committee withdraws it after saying yes; saying no sends nothing', async () => {
  server.on(UNREAD, { status: 200, body: UNREAD_ANSWER })
  const page = await openNotice(COMMITTEE, WITHDRAWABLE)
  expect(page.data.canWithdraw).toBe(true)
  cancelModal(wx)
  await page.withdraw()
  expect(requestsMade(wx)).not.toContain(WITHDRAW)

  server.on(WITHDRAW, { status: 200, body: Object.assign({}, NOTICE, { withdrawn: true }) })
  await page.withdraw()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '撤回公告', confirmText: '撤回' })
  expect(requestsMade(wx)).toContain(WITHDRAW)
  expect(wx.navigateBack).toHaveBeenCalled()
})

test('a withdraw refused is said in a dialog', async () => {
  server.on(UNREAD, { status: 200, body: UNREAD_ANSWER })
  const page = await openNotice(COMMITTEE, WITHDRAWABLE)
  server.on(WITHDRAW, { status: 409, body: { code: 'compound_archived', message: '本小区已归档，只能查看' } })
  await page.withdraw()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '未能撤回', content: '本小区已归档，只能查看' })
  expect(wx.navigateBack).not.toHaveBeenCalled()
})

test('a notice gone (withdrawn, or not for me) shows the error card', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on(ONE, { status: 404, body: { code: 'announcement_not_found', message: '找不到该公告，可能已撤回' } })
  const page = createPage('notice')
  await page.onLoad({ id: '7' })
  expect(page.data.error).toBe('找不到该公告，可能已撤回')
})
