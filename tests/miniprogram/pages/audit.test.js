/**
 * @jest-environment node
 *
 * 任免记录: the committee and the supervisor read who appointed or removed
 * whom, newest first, a page at a time.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { SUPERVISOR, RESIDENT } = require('../helpers/fixtures')

const LOG = 'GET /api/v1/compounds/yangguang/audit-log'

const line = (id, fields) =>
  Object.assign(
    {
      id,
      at: '2026-12-05T10:30:00+08:00',
      action: 'revoked',
      action_label: '免去',
      actor: '张主任',
      role: 'liaison',
      role_label: '单元联络人',
      summary: '张主任 免去 李师傅 的1号楼2单元联络人职务，理由：已搬离小区',
    },
    fields
  )

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('the supervisor reads the log, newest first, and the next page after', async () => {
  server.on('GET /api/v1/me', { status: 200, body: SUPERVISOR })
  server.on(LOG, { status: 200, body: { items: [line(9), line(8, { action_label: '任命', actor: '管理员（命令行）' })], next_cursor: 'OA' } })
  server.on(`${LOG}?cursor=OA`, { status: 200, body: { items: [line(7, { action_label: '发出任命邀请' })], next_cursor: null } })
  const page = createPage('audit')
  await page.onLoad()
  expect(page.data.items[0]).toEqual({
    id: 9,
    time: expect.stringContaining('12月5日 10:30'),
    action: '免去',
    actor: '张主任',
    summary: '张主任 免去 李师傅 的1号楼2单元联络人职务，理由：已搬离小区',
  })
  await page.onReachBottom()
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', LOG, `${LOG}?cursor=OA`])
  expect(page.data.items.map((i) => [i.id, i.action, i.actor])).toEqual([
    [9, '免去', '张主任'],
    [8, '任命', '管理员（命令行）'],
    [7, '发出任命邀请', '张主任'],
  ])
  expect(page.data.nextCursor).toBe(null)
})

test('a resident is told the page is not theirs', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  const page = createPage('audit')
  await page.onLoad()
  expect(page.data.denied).toBe('只有业委会成员和财务监督可以查看任免记录。')
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})
