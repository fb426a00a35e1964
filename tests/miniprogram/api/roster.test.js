/**
 * @jest-environment node
 *
 * api/roster.js: the overview, the template download, and the roster upload
 * (a dry run first, then the real load), each with the bearer header.
 */
const path = require('path')
const { ROOT, BASE, installWx, requestsMade, signedIn } = require('../helpers/wx')

let wx, server, roster

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => {
    roster = require(path.join(ROOT, 'api/roster.js'))
  })
})

const REPORT = { rows: 2, households: { create: 2, update: 0, unchanged: 0 }, problems: [], applied: false }

test('the overview is read for the compound, its code escaped', async () => {
  server.on('GET /api/v1/compounds/a%20b/overview', { status: 200, body: { name: '阳光小区' } })
  await expect(roster.compoundOverview('a b')).resolves.toEqual({ name: '阳光小区' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/compounds/a%20b/overview'])
})

test('the template is downloaded with the bearer header and resolves with the file', async () => {
  server.on('GET /api/v1/compounds/yangguang/roster/template.xlsx', { status: 200, file: 'wxfile://tmp/roster.xlsx' })
  await expect(roster.rosterTemplate('yangguang')).resolves.toBe('wxfile://tmp/roster.xlsx')
  const options = wx.downloadFile.mock.calls[0][0]
  expect(options.url).toBe(`${BASE}/api/v1/compounds/yangguang/roster/template.xlsx`)
  expect(options.header.Authorization).toBe('Bearer valid-token')
})

test('a file is checked with dry_run=true and loaded with dry_run=false, as the field file', async () => {
  server.on('POST /api/v1/compounds/yangguang/roster?dry_run=true', { status: 200, body: REPORT })
  server.on('POST /api/v1/compounds/yangguang/roster?dry_run=false', {
    status: 200,
    body: Object.assign({}, REPORT, { applied: true, import_id: 3, approval_id: null }),
  })
  await expect(roster.checkRoster('yangguang', 'wxfile://tmp/a.xlsx')).resolves.toEqual(REPORT)
  const loaded = await roster.importRoster('yangguang', 'wxfile://tmp/a.xlsx')
  expect(loaded.applied).toBe(true)
  const [check, load] = wx.uploadFile.mock.calls.map(([o]) => o)
  expect([check.url, check.name, check.filePath]).toEqual([
    `${BASE}/api/v1/compounds/yangguang/roster?dry_run=true`,
    'file',
    'wxfile://tmp/a.xlsx',
  ])
  expect(load.url).toBe(`${BASE}/api/v1/compounds/yangguang/roster?dry_run=false`)
  expect(load.header.Authorization).toBe('Bearer valid-token')
})

test('a refused file is an error with the server’s code and Chinese message', async () => {
  server.on('POST /api/v1/compounds/yangguang/roster?dry_run=true', {
    status: 400,
    body: { code: 'bad_roster_file', message: '只能导入 .xlsx 或 .csv 文件' },
  })
  await expect(roster.checkRoster('yangguang', 'wxfile://tmp/a.png')).rejects.toMatchObject({
    status: 400,
    code: 'bad_roster_file',
    message: '只能导入 .xlsx 或 .csv 文件',
  })
})
