/**
 * @jest-environment node
 *
 * api/board.js: the notice board's endpoints.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')

let wx, server, api

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => {
    api = require(path.join(ROOT, 'api/board.js'))
  })
})

const BASE = '/api/v1/compounds/yangguang'

test('publishing sends only the place its audience needs, the pinned day when set', async () => {
  server.on(`POST ${BASE}/announcements`, { status: 201, body: { id: 1 } })
  await api.publishAnnouncement('yangguang', { title: '停水', body: '明天停水', urgent: true })
  expect(sentBody(wx, `POST ${BASE}/announcements`)).toEqual({
    title: '停水',
    body: '明天停水',
    urgent: true,
    audience: 'compound',
    photos: [],
  })
  await api.publishAnnouncement('yangguang', {
    title: '换水表',
    body: '2号楼换水表',
    audience: 'building',
    building: 2,
    unit: '1-1',
    photos: [5],
    pinnedUntil: '2026-12-10',
  })
  expect(sentBody(wx, `POST ${BASE}/announcements`)).toEqual({
    title: '换水表',
    body: '2号楼换水表',
    urgent: false,
    audience: 'building',
    building: 2,
    photos: [5],
    pinned_until: '2026-12-10',
  })
  await api.publishAnnouncement('yangguang', { title: 'a', body: 'b', audience: 'unit', unit: '1-2', building: 1 })
  expect(sentBody(wx, `POST ${BASE}/announcements`)).toMatchObject({ audience: 'unit', unit: '1-2' })
  expect(sentBody(wx, `POST ${BASE}/announcements`).building).toBeUndefined()
})

test('each endpoint has its path and method', async () => {
  server.on(`GET ${BASE}/board`, { status: 200, body: {} })
  server.on(`GET ${BASE}/announcements?cursor=abc`, { status: 200, body: { items: [] } })
  server.on('GET /api/v1/announcements/7', { status: 200, body: {} })
  server.on('POST /api/v1/announcements/7/withdraw', { status: 200, body: {} })
  server.on('GET /api/v1/announcements/7/unread-households', { status: 200, body: {} })
  await api.getBoard('yangguang')
  await api.listAnnouncements('yangguang', { cursor: 'abc' })
  await api.getAnnouncement(7)
  await api.withdrawAnnouncement(7)
  await api.unreadHouseholds(7)
  expect(requestsMade(wx)).toEqual([
    `GET ${BASE}/board`,
    `GET ${BASE}/announcements?cursor=abc`,
    'GET /api/v1/announcements/7',
    'POST /api/v1/announcements/7/withdraw',
    'GET /api/v1/announcements/7/unread-households',
  ])
})
