// One issue: what, where, photos, the timeline, and exactly the actions the
// server offers me now (`actions`). /pages/issue/index?id=3[&return_visit=1]
// Its photos are photos.js, its action form actions.js (methods of this page).
const { ensureLogin } = require('../../api/auth')
const { getIssue, answerReturnVisit } = require('../../api/issues')
const { getConfig } = require('../../api/config')
const { issueDetailView, actionButtons } = require('../../utils/issues')
const { checkVisitNote, cleanMultiline } = require('../../utils/validate')
const { todayInShanghai } = require('../../utils/format')
const { showError } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')
const { subscribe, templateIds } = require('../../services/subscribe')
const { mySubscriptions } = require('../../api/me')
const { pushView, requestPushes } = require('../../services/push')
const { loadable } = require('../../utils/page')
const { issueStatusExplain } = require('../../utils/words')
const { photoMethods } = require('./photos')
const { EMPTY_FORM, actionMethods } = require('./actions')

// While the issue is being handled, its reporter may ask to hear when it is
// resolved: their one-time subscription was usually spent on "accepted".
const REMINDER_STATUSES = ['accepted', 'referred']
const REMINDER_TEMPLATES = ['issue_status']

// Asked before answering the return visit: either answer ends or reopens it.
const VISIT_QUESTIONS = {
  yes: ['问题已经解决了？', '确认后这件事就结束了。', { confirmText: '已解决', cancelText: '再想想' }],
  no: ['问题还没有解决？', '确认后这件事会重新打开，交回联络人继续处理。', { confirmText: '没解决', cancelText: '再想想' }],
}

Page(loadable(Object.assign({
  data: {
    issue: null,
    statusExplain: '',
    actions: [],
    photoList: [],
    canAnswerVisit: false,
    visitHint: '',
    visitNote: '',
    visitError: '',
    activeAction: '',
    activeLabel: '',
    activeExplain: '',
    form: EMPTY_FORM,
    formPhotos: [],
    errors: {},
    busy: false,
    today: '',
    stars: [1, 2, 3, 4, 5],
    canRemind: false,
    reminding: false,
    reminderTmplIds: [],
    // pushView of my pushes, shown after I handled the issue with few left.
    handlerOffer: null,
    offering: false,
  },

  onLoad(options = {}) {
    this.issueId = Number(options.id)
    this.arrivedForVisit = options.return_visit === '1'
    this.photoPaths = {} // upload id → downloaded temp file, kept across refreshes
    this.setData({ today: todayInShanghai() })
    return this.load()
  },

  async fetch() {
    await ensureLogin()
    return this.detailPatch(await getIssue(this.issueId))
  },

  // The photos come in the background: load() (and so the pull-down spinner)
  // waits for the data only, never for downloads of up to a minute each.
  onLoaded() {
    this.loadPhotos()
    return this.updateReminder()
  },

  apply(detail) {
    this.setData(this.detailPatch(detail))
  },

  detailPatch(detail) {
    const canAnswerVisit = Boolean(detail.can_answer_return_visit)
    return {
      issue: issueDetailView(detail),
      statusExplain: issueStatusExplain(detail.status),
      actions: actionButtons(detail.actions),
      canAnswerVisit,
      // Opened from a return-visit message that was answered meanwhile.
      visitHint: this.arrivedForVisit && !canAnswerVisit ? '这条回访已经答复过了，或已不需要答复' : '',
      photoList: this.photoListOf(detail.photos || []),
    }
  },

  // ----- 开启办结提醒 -----

  // Offer the reminder to the reporter (or the liaison who filed for them:
  // the detail's is_reporter) while the issue is accepted or referred, once
  // the template is known.
  async updateReminder() {
    const issue = this.data.issue
    const status = issue && issue.status
    if (this.reminderSet || !REMINDER_STATUSES.includes(status) || !issue.isReporter) {
      if (this.data.canRemind) this.setData({ canRemind: false })
      return
    }
    const tmplIds = await this.reminderTemplates()
    this.setData({ canRemind: tmplIds.length > 0, reminderTmplIds: tmplIds })
  },

  reminderTemplates() {
    return getConfig()
      .then((config) => templateIds(config, REMINDER_TEMPLATES))
      .catch(() => [])
  },

  // The tap on 开启办结提醒: subscribe() asks WeChat before any await, as
  // WeChat requires, then tells the server what was accepted.
  enableReminder() {
    if (this.data.reminding) return Promise.resolve()
    this.setData({ reminding: true })
    return subscribe(this.data.reminderTmplIds).then((recorded) => {
      if (recorded) {
        this.reminderSet = true
        this.setData({ canRemind: false })
        wx.showToast({ title: '已开启提醒', icon: 'success' })
      }
      this.setData({ reminding: false })
    })
  },

  // ----- 新报事提醒我, after handling -----

  // Offered (never asked for by itself) when a message I am pushed by
  // subscription has LOW_QUOTA or fewer sends left.
  async updateHandlerOffer() {
    try {
      const view = pushView(await mySubscriptions())
      this.setData({ handlerOffer: view.low && view.tmplIds.length ? view : null })
    } catch (err) {
      this.setData({ handlerOffer: null })
    }
  },

  // The tap: WeChat's dialog first, then the new counts; the offer stays while
  // still low, so one more tap adds one more.
  remindMeOfNew() {
    const offer = this.data.handlerOffer
    if (this.data.offering || !offer) return Promise.resolve()
    const asked = requestPushes(offer.tmplIds)
    this.setData({ offering: true })
    return asked.then(({ status, error }) => {
      const patch = { offering: false }
      if (status) {
        const view = pushView(status)
        patch.handlerOffer = view.low && view.tmplIds.length ? view : null
      }
      this.setData(patch)
      if (error) showError(error)
      else if (status) wx.showToast({ title: '已开启提醒', icon: 'success' })
      else wx.showToast({ title: '没有开启提醒', icon: 'none' })
    })
  },

  // ----- return visit -----

  onVisitNoteInput(e) {
    this.setData({ visitNote: e.detail.value, visitError: '' })
  },

  // 已解决 / 仍未解决: one tap that cannot be taken back, so asked first.
  async answerVisit(e) {
    const answer = e.currentTarget.dataset.fixed === 'yes' ? 'yes' : 'no'
    const fixed = answer === 'yes'
    const problem = checkVisitNote(this.data.visitNote)
    if (problem) {
      this.setData({ visitError: problem })
      return
    }
    if (this.data.busy) return
    if (!(await confirm(...VISIT_QUESTIONS[answer]))) return
    if (this.data.busy) return
    this.setData({ busy: true })
    try {
      await answerReturnVisit(this.issueId, { fixed, note: cleanMultiline(this.data.visitNote) })
      wx.showToast({ title: fixed ? '感谢您的反馈' : '已重新打开', icon: 'success' })
      this.arrivedForVisit = false
      this.setData({ visitNote: '' })
    } catch (err) {
      showError(err)
    } finally {
      this.setData({ busy: false })
    }
    // Either way: "not fixed" reopened it, or the visit was answered elsewhere.
    await this.load()
  },
}, photoMethods, actionMethods)))
