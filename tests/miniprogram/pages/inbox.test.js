/**
 * @jest-environment node
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const note = (id, read, extra = {}) =>
  Object.assign(
    {
      id,
      kind: 'issue_status',
      title: '您的报事有新进展',
      body: '楼道灯不亮：已受理',
      page: 'pages/issue/index?id=3',
      issue_id: 3,
      created_at: '2024-12-02T09:05:00+08:00',
      read,
    },
    extra
  )

const inbox = (items, unread, nextBefore = null) => ({
  status: 200,
  body: { items, unread, next_before: nextBefore },
})

async function openInbox() {
  const page = createPage('inbox')
  await page.onShow()
  return page
}

test('lists messages with an unread dot and the unread count', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(2, false), note(1, true)], 1))
  const page = await openInbox()
  expect(page.data.items.map((i) => [i.id, i.read])).toEqual([
    [2, false],
    [1, true],
  ])
  expect(page.data.unread).toBe(1)
})

test('tapping a message marks it read and opens its page', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(2, false)], 1))
  server.on('POST /api/v1/me/notifications/read', { status: 200, body: { marked: 1 } })
  const page = await openInbox()
  await page.openItem(tap({ id: 2 }))
  expect(sentBody(wx, 'POST /api/v1/me/notifications/read')).toEqual({ ids: [2] })
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
  expect(page.data.items[0].read).toBe(true)
  expect(page.data.unread).toBe(0)
})

test('a read message opens without marking again; one without a page only gets read', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(2, true), note(1, false, { page: null })], 1))
  server.on('POST /api/v1/me/notifications/read', { status: 200, body: { marked: 1 } })
  const page = await openInbox()
  await page.openItem(tap({ id: 2 }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/me/notifications/read')
  expect(wx.navigateTo).toHaveBeenCalledTimes(1)
  await page.openItem(tap({ id: 1 }))
  expect(sentBody(wx, 'POST /api/v1/me/notifications/read')).toEqual({ ids: [1] })
  expect(wx.navigateTo).toHaveBeenCalledTimes(1)
})

test('a failed mark does not stop the page from opening', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(2, false)], 1))
  server.on('POST /api/v1/me/notifications/read', { fail: 'timeout' })
  const page = await openInbox()
  await page.openItem(tap({ id: 2 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
})

test('全部已读 posts ids null and clears every dot', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(2, false), note(1, false)], 2))
  server.on('POST /api/v1/me/notifications/read', { status: 200, body: { marked: 2 } })
  const page = await openInbox()
  await page.markAllRead()
  expect(sentBody(wx, 'POST /api/v1/me/notifications/read')).toEqual({ ids: null })
  expect(page.data.items.every((i) => i.read)).toBe(true)
  expect(page.data.unread).toBe(0)
})

test('scrolling to the bottom loads older messages', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(5, true)], 0, 5))
  server.on('GET /api/v1/me/notifications?before=5', inbox([note(4, true)], 0))
  const page = await openInbox()
  await page.onReachBottom()
  expect(page.data.items.map((i) => i.id)).toEqual([5, 4])
  expect(page.data.nextBefore).toBeNull()
})

// A tab page: WeChat runs onLoad once, later visits are onShow only.
test('shown again (onShow only), a message that came meanwhile is listed', async () => {
  server.on('GET /api/v1/me/notifications', inbox([note(1, true)], 0), inbox([note(2, false), note(1, true)], 1))
  const page = await openInbox()
  await page.onShow()
  expect(page.data.items.map((i) => i.id)).toEqual([2, 1])
  expect(page.data.unread).toBe(1)
})
