/**
 * @jest-environment node
 *
 * 发布公告 (the committee): title, text, the urgent switch with its plain
 * warning, whom it is for, photos and the pinned day; asked before it goes out.
 */
const { installWx, requestsMade, sentBody, pickPhotos, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { RESIDENT, COMMITTEE, COMPOUND } = require('../helpers/fixtures')

const NOW = Date.parse('2026-12-05T02:00:00Z')
const PUBLISH = 'POST /api/v1/compounds/yangguang/announcements'

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

async function openForm(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  const page = createPage('notice-new')
  await page.onLoad()
  return page
}

const value = (v) => ({ detail: { value: v } })

function fill(page) {
  page.onTitle(value('明天停水'))
  page.onBody(value('明天上午 8 点到 12 点停水，请提前储水。'))
}

test('the form offers the buildings and units, the urgent warning, a pinned day within a year', async () => {
  const page = await openForm()
  expect(page.data.buildings).toEqual([{ number: 1, label: '1号楼' }])
  expect(page.data.units.map((u) => u.key)).toEqual(['1-1', '1-2', '1-3'])
  expect(page.data.urgentWarning).toBe('紧急通知会推送给每一户，只用于停水、停气、安全等急事。')
  expect(page.data).toMatchObject({ today: '2026-12-05', lastDay: '2027-12-05' })
})

test('an urgent notice to one unit is asked about, then sent with its photo and pinned day', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 41 } })
  server.on(PUBLISH, { status: 201, body: { id: 9 } })
  const page = await openForm()
  fill(page)
  page.onUrgent(value(true))
  page.onAudience(value(2))
  page.onUnit(value(1))
  page.onPinned(value('2026-12-08'))
  pickPhotos(wx, [{ tempFilePath: 'wxfile://a.jpg', size: 1000 }])
  await page.choosePhotos()
  await page.submit()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '发布紧急通知',
    content: '将推送给1号楼2单元的每一户，发布后不能修改，只能撤回。',
    confirmText: '发布',
  })
  expect(sentBody(wx, PUBLISH)).toEqual({
    title: '明天停水',
    body: '明天上午 8 点到 12 点停水，请提前储水。',
    urgent: true,
    audience: 'unit',
    unit: '1-2',
    photos: [41],
    pinned_until: '2026-12-08',
  })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=9' })
})

test('saying 再看看 sends nothing; empty fields are said under them', async () => {
  const page = await openForm()
  await page.submit()
  expect(page.data.errors).toEqual({ title: '请填写标题', body: '请填写公告内容' })
  fill(page)
  cancelModal(wx)
  await page.submit()
  expect(requestsMade(wx)).not.toContain(PUBLISH)
})

test("the server's field errors go under the fields; another refusal in a dialog", async () => {
  const page = await openForm()
  fill(page)
  page.onPinned(value('2026-12-06'))
  server.on(
    PUBLISH,
    { status: 400, body: { code: 'validation_failed', message: '请检查', details: { fields: { pinned_until: ['日期应在今天到一年之内'] } } } },
    { status: 409, body: { code: 'compound_archived', message: '本小区已归档，只能查看' } }
  )
  await page.submit()
  expect(page.data.errors).toEqual({ pinned_until: '日期应在今天到一年之内' })
  await page.submit()
  expect(wx.showModal.mock.calls[2][0]).toMatchObject({ title: '未能发布', content: '本小区已归档，只能查看' })
  page.clearPinned()
  expect(page.data.pinnedUntil).toBe('')
})

test('not on the committee: told so, nothing asked of the compound', async () => {
  const page = await openForm(RESIDENT)
  expect(page.data.denied).toBe('只有业委会成员可以发布公告。')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('the workspace offers 发布公告 to the committee', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  const page = createPage('workspace')
  await page.loadMe()
  expect(page.data.canPostNotice).toBe(true)
  page.openNoticeNew()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice-new/index' })
})

test('a double tap on 发布 asks once and publishes once (an urgent notice is pushed to every household)', async () => {
  server.on(PUBLISH, { status: 201, body: { id: 9 } })
  const page = await openForm()
  fill(page)
  page.onUrgent(value(true))
  await Promise.all([page.submit(), page.submit()])
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx).filter((r) => r === PUBLISH)).toHaveLength(1)
})
