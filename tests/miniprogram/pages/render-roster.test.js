/**
 * @jest-environment jsdom
 *
 * 小区概况 and 导入房屋名册 rendered: a unit without a liaison is flagged in
 * words; a checked file's problems read "第 N 行 建筑面积：…" and no 确认导入
 * is offered; a clean file offers it.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE } = require('../helpers/fixtures')

const COMPOUND = loadPage('compound')
const ROSTER = loadPage('roster')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.success({ tempFiles: [{ path: 'wxfile://tmp/a.csv', name: 'a.csv', size: 10 }] }), 0)
  )
})

const unit = (id, number, liaisons) => ({ id, number, households: 2, vacant: 0, bound: 1, liaisons })

test('the overview flags 暂无联络人 and offers 导入房屋名册 to the committee', async () => {
  server.on('GET /api/v1/compounds/yangguang/overview', {
    status: 200,
    body: {
      code: 'yangguang',
      name: '阳光小区',
      archived: false,
      totals: { buildings: 1, units: 2, households: 4, vacant: 0, bound: 2 },
      buildings: [
        { id: 1, number: 1, name: '1号楼', households: 4, vacant: 0, bound: 2, units_without_liaison: 1, units: [unit(4, 1, 1), unit(5, 2, 0)] },
      ],
      last_import: null,
    },
  })
  const page = renderPage(COMPOUND)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.no-liaison')).toEqual(['暂无联络人'])
  expect(texts(page, '.building-gaps')).toEqual(['1 个单元暂无联络人'])
  expect(texts(page, '.go-roster')).toEqual(['导入房屋名册'])
  expect(texts(page, '.total-households .figure-value')).toEqual(['4'])
})

const REPORT = {
  rows: 2,
  buildings: { create: 0 },
  units: { create: 0 },
  households: { create: 1, update: 0, unchanged: 0 },
  pending: 0,
  changes: [],
  missing: [],
  problems: [],
  applied: false,
}

async function checked(report) {
  server.on('POST /api/v1/compounds/yangguang/roster?dry_run=true', { status: 200, body: report })
  const page = renderPage(ROSTER)
  await page.instance.onLoad({ compound: 'yangguang' })
  await page.instance.chooseFile()
  await sleep(0)
  return page
}

test('a file with problems lists them by row and offers no 确认导入', async () => {
  const problems = [{ row: 3, column: '建筑面积(m²)', message: '请填写建筑面积' }]
  const page = await checked(Object.assign({}, REPORT, { problems }))
  expect(texts(page, '.problem')).toEqual(['第 3 行 建筑面积：请填写建筑面积'])
  expect(page.querySelector('.confirm-import')).toBeUndefined()
  expect(texts(page, '.count-problems .figure-value')).toEqual(['1'])
})

test('a clean file offers 确认导入', async () => {
  const page = await checked(REPORT)
  expect(texts(page, '.confirm-import')).toEqual(['确认导入'])
  expect(texts(page, '.file-name')).toEqual(['文件：a.csv'])
  expect(page.querySelector('.problems')).toBeUndefined()
})
