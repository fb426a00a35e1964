/**
 * @jest-environment jsdom
 *
 * A page shows the server's wording of a code once GET /api/v1/config has
 * answered (the app asks at start), and its own copy when it could not.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPageWith, renderPage, texts, sleep } = require('../helpers/render')

// The page and the api/config.js it shares modules with, as in one app run.
const { id: REVIEW, modules } = loadPageWith('review', ['api/config.js'])
const { getConfig } = modules['api/config.js']

const request = {
  id: 1,
  status: 'pending',
  name: '王秀兰',
  relation: 'owner',
  reason: null,
  household: { id: 11, label: '1-1-101', area_m2: '60.00' },
  created_at: '2024-05-02T18:05:00+08:00',
  decided_at: null,
}

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/bindings?status=pending', {
    status: 200,
    body: { items: [request], next_cursor: null, total: 1 },
  })
})

async function shownRelation() {
  const page = renderPage(REVIEW)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return texts(page, '.item-who')[0]
}

test('before GET /config has answered (offline), the page uses its own words', async () => {
  server.on('GET /api/v1/config', { fail: 'timeout' })
  await expect(getConfig()).rejects.toBeTruthy()
  expect(await shownRelation()).toBe('王秀兰 · 业主')
})

test('the review list names the relation in the words the server sent', async () => {
  server.on('GET /api/v1/config', {
    status: 200,
    body: { labels: { relation: { owner: '产权人', tenant: '租户', family: '家属' } }, labels_version: 'x1' },
  })
  await getConfig()
  expect(await shownRelation()).toBe('王秀兰 · 产权人')
})
