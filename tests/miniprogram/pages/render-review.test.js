/**
 * @jest-environment jsdom
 *
 * The review page as a reviewer sees it: a flood of requests does not hide the
 * real one, 加载更多 (or scrolling down) reaches every request.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')

const REVIEW = loadPage('review')

const request = (id) => ({
  id,
  status: 'pending',
  name: id === 3 ? '王秀兰' : '刷单',
  relation: 'owner',
  reason: null,
  household: { id: 10 + id, label: `1-1-10${id}`, area_m2: '60.00' },
  created_at: '2024-05-02T18:05:00+08:00',
  decided_at: null,
})

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

test('加载更多 brings the next page until the last request is on screen', async () => {
  server.on('GET /api/v1/bindings?status=pending', {
    status: 200,
    body: { items: [request(1), request(2)], next_cursor: 'Mg', total: 3 },
  })
  server.on('GET /api/v1/bindings?status=pending&cursor=Mg', {
    status: 200,
    body: { items: [request(3)], next_cursor: null, total: 3 },
  })
  const page = renderPage(REVIEW)
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.summary')).toEqual(['共 3 条待审核，先申请的排在前面'])
  expect(texts(page, '.item-label')).toEqual(['1-1-101', '1-1-102'])
  expect(texts(page, '.more')).toEqual(['加载更多'])
  page.querySelector('.more').dispatchEvent('tap')
  await sleep(10)
  expect(texts(page, '.item-label')).toEqual(['1-1-101', '1-1-102', '1-1-103'])
  expect(page.querySelector('.more')).toBeUndefined()
  expect(texts(page, '.end')).toEqual(['没有更多了'])
})

test('a single page shows no 加载更多', async () => {
  server.on('GET /api/v1/bindings?status=pending', {
    status: 200,
    body: { items: [request(1)], next_cursor: null, total: 1 },
  })
  const page = renderPage(REVIEW)
  await page.instance.onShow()
  await sleep(0)
  expect(page.querySelector('.more')).toBeUndefined()
  expect(texts(page, '.action')).toEqual(['拒绝', '通过'])
})
