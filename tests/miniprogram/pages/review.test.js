/**
 * @jest-environment node
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

const request = (id, label, name) => ({
  id,
  status: 'pending',
  name,
  relation: 'tenant',
  reason: null,
  household: { id: 10 + id, label, area_m2: '60.00' },
  created_at: '2024-05-02T18:05:00+08:00',
  decided_at: null,
})
const FIRST = request(1, '1-1-101', '李先生')
const SECOND = request(2, '1-1-202', '赵女士')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('lists pending requests with household, name, relation and time', async () => {
  server.on('GET /api/v1/bindings?status=pending', { status: 200, body: { items: [FIRST] } })
  const page = createPage('review')
  await page.onShow()
  expect(page.data.items).toEqual([
    { id: 1, label: '1-1-101', name: '李先生', relation: '租户', createdAt: '2024-05-02 18:05' },
  ])
})

test('approving calls the API and refreshes the list', async () => {
  server.on(
    'GET /api/v1/bindings?status=pending',
    { status: 200, body: { items: [FIRST, SECOND] } },
    { status: 200, body: { items: [SECOND] } }
  )
  server.on('POST /api/v1/bindings/1/approve', { status: 200, body: FIRST })
  const page = createPage('review')
  await page.onShow()
  await page.approveItem(tap({ id: 1 }))
  expect(requestsMade(wx)).toContain('POST /api/v1/bindings/1/approve')
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已通过' }))
  expect(page.data.items.map((i) => i.id)).toEqual([2])
})

test('拒绝 opens the reason dialog; its reason is sent and the list refreshed', async () => {
  server.on(
    'GET /api/v1/bindings?status=pending',
    { status: 200, body: { items: [FIRST] } },
    { status: 200, body: { items: [] } }
  )
  server.on('POST /api/v1/bindings/1/reject', { status: 200, body: FIRST })
  const page = createPage('review')
  await page.onShow()
  page.rejectItem(tap({ id: 1 }))
  expect(page.data.rejecting).toBe(1)
  expect(requestsMade(wx).some((r) => r.includes('/reject'))).toBe(false)
  await page.onReject({ detail: { reason: '本单元没有这位租户' } })
  expect(page.data.rejecting).toBe(0)
  expect(sentBody(wx, 'POST /api/v1/bindings/1/reject')).toEqual({ reason: '本单元没有这位租户' })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已拒绝' }))
  expect(page.data.items).toEqual([])
})

test('closing the reason dialog changes nothing', async () => {
  server.on('GET /api/v1/bindings?status=pending', { status: 200, body: { items: [FIRST] } })
  const page = createPage('review')
  await page.onShow()
  page.rejectItem(tap({ id: 1 }))
  page.onRejectCancel()
  expect(page.data.rejecting).toBe(0)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/bindings?status=pending'])
})

test('cancelling the 通过 question changes nothing', async () => {
  server.on('GET /api/v1/bindings?status=pending', { status: 200, body: { items: [FIRST] } })
  cancelModal(wx)
  const page = createPage('review')
  await page.onShow()
  await page.approveItem(tap({ id: 1 }))
  expect(requestsMade(wx)).toEqual(['GET /api/v1/bindings?status=pending'])
})

test('a 403 shows the server message instead of the list', async () => {
  server.on('GET /api/v1/bindings?status=pending', {
    status: 403,
    body: { code: 'not_a_reviewer', message: '只有单元联络人和业委会成员可以审核绑定申请' },
  })
  const page = createPage('review')
  await page.onShow()
  expect(page.data.error).toBe('只有单元联络人和业委会成员可以审核绑定申请')
  expect(page.data.items).toEqual([])
})

test('a decision refused by the server is shown and the list reloaded', async () => {
  server.on('GET /api/v1/bindings?status=pending', { status: 200, body: { items: [FIRST] } })
  server.on('POST /api/v1/bindings/1/approve', {
    status: 403,
    body: { code: 'own_request', message: '不能审核自己的绑定申请' },
  })
  const page = createPage('review')
  await page.onShow()
  await page.approveItem(tap({ id: 1 }))
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '不能审核自己的绑定申请' }))
  expect(requestsMade(wx).filter((r) => r.startsWith('GET'))).toHaveLength(2)
  expect(page.data.busyId).toBe(0)
})

describe('paging: every pending request can be reached', () => {
  const many = (from, to) =>
    Array.from({ length: to - from + 1 }, (_, i) => request(from + i, `1-1-${100 + from + i}`, '住户'))

  test('the first page says how many wait and where the next page starts', async () => {
    server.on('GET /api/v1/bindings?status=pending', {
      status: 200,
      body: { items: many(1, 50), next_cursor: 'NTA', total: 120 },
    })
    const page = createPage('review')
    await page.onShow()
    expect(page.data.items).toHaveLength(50)
    expect(page.data.total).toBe(120)
    expect(page.data.nextCursor).toBe('NTA')
  })

  test('scrolling to the bottom loads the next pages until there are no more', async () => {
    server.on('GET /api/v1/bindings?status=pending', {
      status: 200,
      body: { items: many(1, 50), next_cursor: 'NTA', total: 120 },
    })
    server.on('GET /api/v1/bindings?status=pending&cursor=NTA', {
      status: 200,
      body: { items: many(51, 100), next_cursor: 'MTAw', total: 120 },
    })
    server.on('GET /api/v1/bindings?status=pending&cursor=MTAw', {
      status: 200,
      body: { items: many(101, 120), next_cursor: null, total: 120 },
    })
    const page = createPage('review')
    await page.onShow()
    await page.onReachBottom()
    await page.loadMore() // the 加载更多 button
    expect(page.data.items.map((i) => i.id)).toEqual(many(1, 120).map((r) => r.id))
    expect(page.data.nextCursor).toBe(null)
    await page.onReachBottom() // nothing more to ask for
    expect(requestsMade(wx)).toEqual([
      'GET /api/v1/bindings?status=pending',
      'GET /api/v1/bindings?status=pending&cursor=NTA',
      'GET /api/v1/bindings?status=pending&cursor=MTAw',
    ])
  })

  test('a request already shown is not shown twice', async () => {
    server.on('GET /api/v1/bindings?status=pending', {
      status: 200,
      body: { items: [FIRST, SECOND], next_cursor: 'Mg', total: 3 },
    })
    server.on('GET /api/v1/bindings?status=pending&cursor=Mg', {
      status: 200,
      body: { items: [SECOND, request(3, '1-2-301', '钱先生')], next_cursor: null, total: 3 },
    })
    const page = createPage('review')
    await page.onShow()
    await page.loadMore()
    expect(page.data.items.map((i) => i.id)).toEqual([1, 2, 3])
  })

  test('a page that fails to load keeps what is shown and says why, with 重试', async () => {
    server.on('GET /api/v1/bindings?status=pending', {
      status: 200,
      body: { items: [FIRST], next_cursor: 'MQ', total: 2 },
    })
    server.on('GET /api/v1/bindings?status=pending&cursor=MQ', { fail: 'timeout' })
    const page = createPage('review')
    await page.onShow()
    await page.loadMore()
    expect(page.data.items.map((i) => i.id)).toEqual([1])
    expect(page.data.nextCursor).toBe('MQ') // 重试 asks for it again
    expect(page.data.loadingMore).toBe(false)
    expect(page.data.moreError).toBe('网络不给力，请稍后再试')
  })

  test('two taps at once ask for the next page once', async () => {
    server.on('GET /api/v1/bindings?status=pending', {
      status: 200,
      body: { items: [FIRST], next_cursor: 'MQ', total: 2 },
    })
    server.on('GET /api/v1/bindings?status=pending&cursor=MQ', {
      status: 200,
      body: { items: [SECOND], next_cursor: null, total: 2 },
    })
    const page = createPage('review')
    await page.onShow()
    await Promise.all([page.loadMore(), page.onReachBottom()])
    expect(requestsMade(wx).filter((r) => r.includes('cursor='))).toHaveLength(1)
  })
})

test('approving warns that the household will be told', async () => {
  server.on('GET /api/v1/bindings?status=pending', { status: 200, body: { items: [FIRST] } })
  server.on('POST /api/v1/bindings/1/approve', { status: 200, body: FIRST })
  const page = createPage('review')
  await page.onShow()
  await page.approveItem(tap({ id: 1 }))
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({ content: expect.stringContaining('该户家人会收到通知') })
  )
})
