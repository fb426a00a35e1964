// 领取任命 (anyone signed in): the code someone on the committee handed over,
// typed into a big box or scanned ("linli-role:CODE"). The role is not known
// until the server answers, so there is nothing to ask first: it is taken up
// at once and the answer says plainly what the person now is.
const { ensureLogin } = require('../../api/auth')
const { redeemRoleInvite } = require('../../api/people')
const { parseInviteCode, appointedView } = require('../../utils/people')
const { failureKind } = require('../../utils/permission')
const { loadable } = require('../../utils/page')

const NOT_OURS = '这不是邻里的任命二维码，请扫对方手机上的二维码，或直接输入邀请码'
const NO_CAMERA = '微信没有相机权限，扫不了码。请在手机的「设置」里允许微信使用相机，或直接输入邀请码'
const NOT_SCANNED = '没有扫到二维码，请再扫一次，或直接输入邀请码'

function handedCode(options) {
  try {
    return decodeURIComponent((options && options.code) || '')
  } catch (err) {
    return ''
  }
}

// Why a scan came back empty, in plain words: '' when the user backed out.
function scanProblem(res) {
  const kind = failureKind(res)
  if (kind === 'cancel') return ''
  return kind === 'denied' ? NO_CAMERA : NOT_SCANNED
}

Page(
  loadable({
    // handed: a code scanned elsewhere (扫码登录电脑, ?code=), put in the box
    // to be taken up with 领取任命 — it was not scanned here for a role.
    data: { code: '', problem: '', busy: false, done: null, handed: false },

    onLoad(options) {
      const code = parseInviteCode(handedCode(options))
      if (code) this.setData({ code, handed: true })
      return this.load()
    },

    // Nothing to read first: signed in, the box is ready.
    async fetch() {
      await ensureLogin()
      return {}
    },

    onInput(e) {
      this.setData({ code: e.detail.value, problem: '', handed: false })
    },

    scan() {
      if (this.data.busy) return
      wx.scanCode({
        onlyFromCamera: false,
        scanType: ['qrCode'],
        success: (res) => {
          const text = String(res.result || '').trim()
          const code = /^linli-role:/i.test(text) ? parseInviteCode(text) : ''
          if (!code) {
            this.setData({ problem: NOT_OURS })
            return
          }
          this.setData({ code, problem: '', handed: false })
          this.redeem()
        },
        // Backed out: the box is still there. No camera or nothing read: say so.
        fail: (res) => this.setData({ problem: scanProblem(res) }),
      })
    },

    async redeem() {
      if (this.data.busy) return
      const code = parseInviteCode(this.data.code)
      if (!code) {
        this.setData({ problem: '请输入对方给您的邀请码，如 ABCD-2345' })
        return
      }
      this.setData({ busy: true, problem: '' })
      try {
        await ensureLogin()
        const body = await redeemRoleInvite(code)
        this.setData({ busy: false, done: appointedView(body) })
      } catch (err) {
        this.setData({ busy: false, problem: (err && err.message) || '没有领取成功，请稍后再试' })
      }
    },

    goHome() {
      wx.reLaunch({ url: '/pages/index/index' })
    },
  })
)
