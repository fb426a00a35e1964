/**
 * @jest-environment jsdom
 *
 * The WXML of the issue pages, rendered with the page's own handlers: what a
 * user sees and what a tap on it does.
 */
const { installWx, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, contains, sleep } = require('../helpers/render')
const { issueDetail, RESIDENT, LIAISON, CONFIG, COMPOUND, validationError } = require('../helpers/fixtures')

const ISSUE = loadPage('issue')
const INBOX = loadPage('inbox')
const REPORT = loadPage('report')
const REPORT_FOR = loadPage('report-for')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function openIssue(detail) {
  server.on('GET /api/v1/issues/3', { status: 200, body: detail })
  const page = renderPage(ISSUE)
  await page.instance.onLoad({ id: '3' })
  await sleep(0)
  return page
}

test('the issue page shows exactly the buttons the server allows', async () => {
  const page = await openIssue(issueDetail({ actions: ['accept', 'reject', 'mark_duplicate'] }))
  expect(texts(page, '.title')).toEqual(['楼道灯不亮'])
  expect(texts(page, '.action')).toEqual(['受理', '不予受理', '标为重复'])
  expect(page.querySelector('.visit')).toBeUndefined()
})

test('the reporter of an accepted issue gets 开启办结提醒; a tap asks WeChat and hides it', async () => {
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('POST /api/v1/me/subscriptions', { status: 200, body: { quotas: { 'tmpl-status': 1 } } })
  const page = await openIssue(issueDetail({ status: 'accepted', status_label: '处理中', is_reporter: true }))
  expect(texts(page, '.remind')).toEqual(['开启办结提醒'])
  expect(wx.request.mock.calls.some(([o]) => o.url.includes('/api/v1/issues?mine=true'))).toBe(false)
  page.querySelector('.remind').dispatchEvent('tap')
  for (let i = 0; i < 100 && page.querySelector('.remind'); i += 1) await sleep(5)
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
    expect.objectContaining({ tmplIds: ['tmpl-status'] })
  )
  expect(sentBody(wx, 'POST /api/v1/me/subscriptions')).toEqual({ accepted: ['tmpl-status'] })
  expect(page.querySelector('.remind')).toBeUndefined()
})

test('someone who did not report the accepted issue gets no 开启办结提醒', async () => {
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  const page = await openIssue(
    issueDetail({ status: 'accepted', status_label: '处理中', actions: ['refer', 'resolve'] })
  )
  expect(page.querySelector('.remind')).toBeUndefined()
  expect(texts(page, '.action')).toEqual(['转办', '办结'])
})

test('no actions, no buttons', async () => {
  const page = await openIssue(issueDetail({ status: 'closed', actions: [] }))
  expect(texts(page, '.action')).toEqual([])
})

test('tapping 重新打开 opens its form; sending it empty shows the error under the note', async () => {
  const page = await openIssue(issueDetail({ status: 'resolved', actions: ['confirm', 'reopen'] }))
  page.querySelectorAll('.action')[1].dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.form .card-title')).toEqual(['重新打开'])
  expect(texts(page, '.action')).toEqual([])
  page.querySelector('.send').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.form .error-text')).toEqual(['请说明哪里还没有解决'])
  expect(wx.request.mock.calls.some(([o]) => o.url.endsWith('/transitions'))).toBe(false)
})

test('the return-visit card answers 仍未解决 with fixed:false', async () => {
  server.on('POST /api/v1/issues/3/return-visit', { status: 200, body: { id: 9 } })
  const page = await openIssue(issueDetail({ status: 'closed', can_answer_return_visit: true }))
  expect(texts(page, '.visit .card-title')).toEqual(['回访：问题是否已彻底解决？'])
  page.querySelector('.visit-no').dispatchEvent('tap')
  await sleep(10)
  expect(sentBody(wx, 'POST /api/v1/issues/3/return-visit')).toEqual({ fixed: false, note: null })
})

const message = (id, title, body, read) => ({
  id,
  kind: 'issue_status',
  title,
  body,
  page: 'pages/issue/index?id=3',
  issue_id: 3,
  created_at: '2024-12-01T15:01:00+08:00',
  read,
})

test('the inbox shows a dot on unread messages only', async () => {
  server.on('GET /api/v1/me/notifications', {
    status: 200,
    body: {
      items: [
        message(2, '有新进展', '已受理', false),
        message(1, '已提交', '等待受理', true),
      ],
      unread: 1,
      next_before: null,
    },
  })
  server.on('POST /api/v1/me/notifications/read', { status: 200, body: { marked: 1 } })
  const page = renderPage(INBOX)
  await page.instance.onShow()
  await sleep(0)
  const messages = page.querySelectorAll('.message')
  expect(messages.map((m) => contains(m, 'dot'))).toEqual([true, false])
  expect(texts(page, '.mark-all')).toEqual(['全部已读'])

  messages[0].dispatchEvent('tap')
  for (let i = 0; i < 100 && !wx.navigateTo.mock.calls.length; i += 1) await sleep(5)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
  expect(page.querySelectorAll('.dot')).toHaveLength(0)
  expect(page.querySelector('.mark-all')).toBeUndefined()
})

test("the report form shows the server's field error under its field", async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('POST /api/v1/issues', validationError({ description: ['包含不允许的字符'] }))
  const page = renderPage(REPORT)
  await page.instance.onLoad({})
  await sleep(0)
  expect(texts(page, '.picker')).toEqual(['请选择类别', '我家 1-2-301'])
  const fields = page.querySelectorAll('.field')
  page.instance.onCategoryChange({ detail: { value: '0' } })
  page.instance.setData({ title: '楼道灯不亮', description: '灯坏了' })
  await page.instance.submit()
  await sleep(0)
  const withError = fields.filter((f) => contains(f, 'error-text'))
  expect(withError.map((f) => f.dom.textContent)).toEqual([expect.stringContaining('详细描述')])
  expect(texts(page, '.error-text')).toEqual(['包含不允许的字符'])
})

async function openOnBehalf(rooms) {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('GET /api/v1/units/7/households', rooms)
  // 代居民报事: its own page, opened from 工作台 with navigateTo.
  const page = renderPage(REPORT_FOR)
  await page.instance.onLoad({})
  await sleep(0)
  return page
}

test('filing for a neighbour: a unit picker and a room picker instead of the place', async () => {
  const rooms = [
    { id: 31, room: '101', floor: 1, label: '1-3-101', occupancy: 'occupied' },
    { id: 32, room: '102', floor: 1, label: '1-3-102', occupancy: 'vacant' },
  ]
  const page = await openOnBehalf({ status: 200, body: { items: rooms } })
  expect(texts(page, '.picker')).toEqual(['1号楼3单元', '请选择房间', '请选择类别'])
  page.instance.onRoomChange({ detail: { value: '1' } })
  await sleep(0)
  expect(texts(page, '.picker')).toEqual(['1号楼3单元', '1-3-102（空置）', '请选择类别'])
})

test('a refused rooms request shows its message where the rooms would be', async () => {
  const page = await openOnBehalf({
    status: 403,
    body: { code: 'not_a_handler', message: '只有本单元联络人、楼栋长或业委会可以查看' },
  })
  expect(texts(page, '.rooms-error')).toEqual(['只有本单元联络人、楼栋长或业委会可以查看'])
  expect(texts(page, '.picker')).toEqual(['1号楼3单元', '请选择类别'])
})
