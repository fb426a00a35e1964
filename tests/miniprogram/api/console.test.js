/**
 * @jest-environment node
 *
 * api/console.js: one function per endpoint of signing a computer into the
 * desk (server/api/console.py), each with its path, method and body.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')

let wx, server, api

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  jest.isolateModules(() => {
    api = require(path.join(ROOT, 'api/console.js'))
  })
})

const BASE = '/api/v1/console'
const CODE = 'linli-console:abcdefghijklmnopqrstuvwx'

test('each endpoint has its path, method and body', async () => {
  server.on(`POST ${BASE}/scan`, { status: 200, body: { browser: 'Chrome · Windows', compounds: [] } })
  server.on(`POST ${BASE}/confirm`, { status: 200, body: { browser: 'Chrome · Windows', compound: { id: 1 } } })
  server.on(`GET ${BASE}/sessions`, { status: 200, body: { items: [] } })
  server.on(`DELETE ${BASE}/sessions`, { status: 200, body: { signed_out: 2 } })
  server.on(`DELETE ${BASE}/sessions/7`, { status: 200, body: { signed_out: 1 } })
  await api.scanDeskCode(CODE)
  await api.confirmDeskLogin(CODE, 1)
  await api.listDeskSessions()
  expect(await api.signOutEverywhere()).toEqual({ signed_out: 2 })
  await api.signOutComputer(7)
  expect(requestsMade(wx)).toEqual([
    `POST ${BASE}/scan`,
    `POST ${BASE}/confirm`,
    `GET ${BASE}/sessions`,
    `DELETE ${BASE}/sessions`,
    `DELETE ${BASE}/sessions/7`,
  ])
  expect(sentBody(wx, `POST ${BASE}/scan`)).toEqual({ ticket: CODE })
  expect(sentBody(wx, `POST ${BASE}/confirm`)).toEqual({ ticket: CODE, compound: 1 })
})

test("a refusal comes back with the server's code and Chinese message", async () => {
  server.on(`POST ${BASE}/scan`, {
    status: 409,
    body: { code: 'console_ticket_expired', message: '二维码已过期，请在电脑上刷新后再扫' },
  })
  await expect(api.scanDeskCode(CODE)).rejects.toMatchObject({
    status: 409,
    code: 'console_ticket_expired',
    message: '二维码已过期，请在电脑上刷新后再扫',
  })
})
