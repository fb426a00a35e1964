// 登录电脑端: the code the camera read on a computer's screen
// (?ticket=, from 扫码登录电脑 on the home page) is shown for what it is — the
// computer, the compound, my role there — and signed in only on 确认登录. A
// code that has expired or was used, or is not ours, says so in plain words
// with 重新扫码.
const { ensureLogin } = require('../../api/auth')
const { scanDeskCode, confirmDeskLogin } = require('../../api/console')
const {
  NOT_DESK,
  NOT_DESK_HINT,
  readScan,
  deskCode,
  pageFor,
  scanQrCode,
  scanFailure,
  deskProblem,
  scanView,
} = require('../../utils/desk')
const { errorMessage } = require('../../utils/errors')
const { loadable } = require('../../utils/page')

const NO_CODE = { title: '请扫电脑屏幕上的二维码', hint: NOT_DESK_HINT, again: true }
const NOT_OURS = { title: NOT_DESK, hint: NOT_DESK_HINT, again: true }

function ticketOf(options) {
  try {
    return decodeURIComponent((options && options.ticket) || '')
  } catch (err) {
    return ''
  }
}

Page(
  loadable({
    data: {
      browser: '',
      // [{id, name, roleText}]: a picker only when there are several.
      compounds: [],
      compoundIndex: 0,
      // {title, hint, again}: why this code cannot sign a computer in.
      problem: null,
      scanning: false,
      busy: false,
      // Why 确认登录 did not go through (no network): the question stays.
      confirmError: '',
      // {line}: signed in.
      done: null,
    },

    onLoad(options) {
      this.ticket = ticketOf(options)
      return this.load()
    },

    // The server reads the code first: which computer, which compounds.
    async fetch() {
      await ensureLogin()
      const clear = { problem: null, done: null, confirmError: '', busy: false }
      if (!this.ticket) return Object.assign(clear, { problem: NO_CODE })
      try {
        const view = scanView(await scanDeskCode(deskCode(this.ticket)))
        if (!view.compounds.length) return Object.assign(clear, { problem: deskProblem({ code: 'console_not_allowed' }) })
        return Object.assign(clear, view)
      } catch (err) {
        const problem = deskProblem(err)
        if (!problem) throw err
        return Object.assign(clear, { problem })
      }
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value) || 0, confirmError: '' })
    },

    // 确认登录: the computer may now open the desk as me, for this compound.
    async signIn() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (this.data.busy || !compound || !this.ticket) return
      this.setData({ busy: true, confirmError: '' })
      try {
        await ensureLogin()
        const body = await confirmDeskLogin(deskCode(this.ticket), compound.id)
        const name = (body.compound && body.compound.name) || compound.name
        this.setData({ busy: false, done: { line: `${name} · ${body.browser || this.data.browser}` } })
      } catch (err) {
        const problem = deskProblem(err)
        this.setData(problem ? { busy: false, problem } : { busy: false, confirmError: errorMessage(err) })
      }
    },

    // 重新扫码: a fresh code from the computer; a role invite goes to 领取任命.
    async rescan() {
      if (this.data.scanning || this.data.busy) return
      this.setData({ scanning: true })
      const scanned = await scanQrCode()
      this.setData({ scanning: false })
      if (scanned.failure) {
        const failure = scanFailure(scanned.failure)
        if (failure) this.setData({ problem: failure })
        return
      }
      const scan = readScan(scanned.text)
      if (scan.kind === 'role') return wx.redirectTo({ url: pageFor(scan) })
      if (scan.kind !== 'desk') return this.setData({ problem: NOT_OURS })
      this.ticket = scan.ticket
      this.setData({ loaded: false, error: '', problem: null, done: null, compounds: [], compoundIndex: 0 })
      return this.load()
    },

    // 取消 and 返回: back where 扫码登录电脑 was tapped (home when opened alone).
    goBack() {
      wx.navigateBack({ fail: () => wx.reLaunch({ url: '/pages/index/index' }) })
    },

    openSessions() {
      wx.redirectTo({ url: '/pages/desk-sessions/index' })
    },
  })
)
