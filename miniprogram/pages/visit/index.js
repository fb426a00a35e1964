// 关爱走访 (a care visit): the liaison, building lead or committee member who
// visited or phoned a tagged household records how it went — 挺好 / 一般 /
// 不太好, 上门 or 电话, the day, a note — and may raise a concern (the committee
// is told at once) or turn a need into an issue; both are asked first. The
// last visits are shown above, to ask after what was said then. Opened from
// 我的住户's 走访任务 with ?id=<visit>&household_id=&label=&tag=&due_on=; the
// push about a missed visit (server/services/care/escalation.py) gives only
// ?id=, and the rest is found in my tasks (a visit no longer there: said so,
// with the way to 走访任务).
const { ensureLogin } = require('../../api/auth')
const { recordVisit, householdVisits } = require('../../api/care')
const { myTasks } = require('../../api/me')
const { tagLabel, dayText, isCareVisit } = require('../../utils/census')
const { label, optionsFor } = require('../../utils/labels')
const { todayInShanghai } = require('../../utils/format')
const { checkVisitNote, cleanMultiline } = require('../../utils/validate')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

// A visit of GET /households/{id}/visits already recorded.
function pastVisitView(visit) {
  const parts = [label('visit_method', visit.method, ''), label('visit_how', visit.how, '')]
  return {
    id: visit.id,
    day: dayText(visit.visited_on || visit.recorded_at),
    line: parts.filter(Boolean).join(' · ') + (visit.concern ? ' · 有情况' : ''),
    note: visit.note || '',
    by: visit.recorded_by || '',
  }
}

const decode = (value) => (value ? decodeURIComponent(value) : '')

// The server takes a visit day at most this many days back (VisitRecordIn).
const VISIT_DAYS_BACK = 366

function daysBefore(day, days) {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

Page(
  loadable({
    data: {
      label: '',
      tagLabel: '',
      due: '',
      past: [],
      pastError: '',
      hows: optionsFor('visit_how'),
      methods: optionsFor('visit_method'),
      how: '',
      method: 'visit',
      visitedOn: '',
      today: '',
      earliest: '',
      note: '',
      concern: false,
      openIssue: false,
      errors: {},
      formError: '',
      sending: false,
      gone: false,
    },

    onLoad(options = {}) {
      this.visitId = Number(options.id || 0)
      this.householdId = Number(options.household_id || 0)
      const today = todayInShanghai()
      this.setData({
        label: decode(options.label),
        tagLabel: options.tag ? tagLabel(decode(options.tag)) : '',
        due: options.due_on ? dayText(options.due_on) : '',
        today,
        earliest: daysBefore(today, VISIT_DAYS_BACK),
        visitedOn: today,
      })
      return this.load()
    },

    // The visits recorded before (done ones, newest first, three at most). They
    // only help: a failure says so in a line and the form still works.
    async fetch() {
      await ensureLogin()
      if (!this.householdId) {
        const found = await this.fromTasks()
        if (!found) return { gone: true, past: [], pastError: '' }
      }
      try {
        const { items } = await householdVisits(this.householdId)
        const done = (items || []).filter((v) => (v.status ? v.status === 'done' : Boolean(v.how)) && v.id !== this.visitId)
        return { gone: false, past: done.slice(0, 3).map(pastVisitView), pastError: '' }
      } catch (err) {
        return { gone: false, past: [], pastError: `以前的走访记录暂时读不到：${errorMessage(err)}` }
      }
    },

    // Opened with only the visit's id: its household, tag and day from my
    // tasks. False when it is not among them (recorded, or not mine).
    async fromTasks() {
      const { items } = await myTasks()
      const task = (items || []).find((t) => isCareVisit(t) && t.visit_id === this.visitId)
      if (!task) return false
      this.householdId = task.household_id
      this.setData({ label: task.label, tagLabel: tagLabel(task.tag), due: task.due_on ? dayText(task.due_on) : '' })
      return true
    },

    goTasks() {
      wx.redirectTo({ url: '/pages/households/index?tab=tasks' })
    },

    // Back to the list it came from; opened straight from a push there is none,
    // so on to 走访任务.
    leave() {
      const stack = typeof getCurrentPages === 'function' ? getCurrentPages() : null
      if (stack && stack.length < 2) this.goTasks()
      else wx.navigateBack()
    },

    // The household's record (who lives there, their phones), read for this visit.
    openHousehold() {
      const reason = encodeURIComponent('关爱走访')
      wx.navigateTo({ url: `/pages/household/index?id=${this.householdId}&reason=${reason}` })
    },

    pickHow(e) {
      this.setData({ how: e.currentTarget.dataset.value, errors: Object.assign({}, this.data.errors, { how: '' }) })
    },

    pickMethod(e) {
      this.setData({ method: e.currentTarget.dataset.value })
    },

    onDay(e) {
      this.setData({ visitedOn: e.detail.value })
    },

    onNote(e) {
      this.setData({ note: e.detail.value, errors: Object.assign({}, this.data.errors, { note: '' }) })
    },

    onConcern(e) {
      this.setData({ concern: Boolean(e.detail.value) })
    },

    onOpenIssue(e) {
      this.setData({ openIssue: Boolean(e.detail.value) })
    },

    problems() {
      const d = this.data
      const errors = {}
      if (!d.how) errors.how = '请选住户现在怎么样'
      const note = checkVisitNote(d.note)
      if (note) errors.note = note
      if (d.concern && !cleanMultiline(d.note)) errors.note = '有情况要告诉业委会，请写一句是什么情况'
      if (d.visitedOn > d.today) errors.day = '走访日期不能晚于今天'
      return errors
    },

    // What follows a concern or an issue, said before sending.
    question() {
      const d = this.data
      const parts = []
      if (d.concern) parts.push('马上通知业委会')
      if (d.openIssue) parts.push('为本户生成一条“困难帮扶”报事，由本单元联络人跟进')
      return parts.length ? `提交后将${parts.join('，并')}。确定提交？` : ''
    },

    async submit() {
      if (this.data.sending) return
      const errors = this.problems()
      if (Object.values(errors).some(Boolean)) {
        this.setData({ errors, formError: '请按提示补全后再提交' })
        return
      }
      const question = this.question()
      if (question && !(await confirmOnce(this, `走访 ${this.data.label}`, question, { confirmText: '提交' }))) return
      this.setData({ sending: true, formError: '' })
      try {
        await recordVisit(this.visitId, this.body())
        wx.showToast({ title: '已记录走访', icon: 'success' })
        this.leave()
      } catch (err) {
        this.setData({ formError: errorMessage(err) })
      }
      this.setData({ sending: false })
    },

    body() {
      const d = this.data
      const body = { how: d.how, method: d.method, visited_on: d.visitedOn, concern: d.concern, open_issue: d.openIssue }
      const note = cleanMultiline(d.note)
      if (note) body.note = note
      return body
    },
  })
)
