// 人员与角色 (committee; the finance supervisor reads): every volunteer, committee
// member and supervisor of the compound by role, with where, since when, the
// committee's terms (即将换届) and whether a WeChat push reaches them. The
// committee appoints by invite (新增任命: the code in very large type and its QR
// code, to hand over in person), voids unused invites and takes a role away
// with a reason (免去), asked twice.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const api = require('../../api/people')
const { roleCompounds } = require('../../utils/user')
const { PEOPLE_ROLES, APPOINTER_ROLES } = require('../../utils/labels')
const views = require('../../utils/people')
const { checkName } = require('../../utils/validate')
const { confirm, showModal } = require('../../utils/ui')
const { todayInShanghai } = require('../../utils/format')
const { showError, errorMessage } = require('../../utils/errors')

// A refused 作废 or 免去 explains itself at length ("这是本小区最后一位业委会委员，
// 不能免去。请先任命新的委员"): a dialog to read at leisure, not a toast cut
// to two lines that vanishes in three seconds.
const told = (title, err) => showModal({ title, content: errorMessage(err), showCancel: false, confirmText: '知道了' })
const { loadable } = require('../../utils/page')

const DENIED = '只有业委会成员和财务监督可以查看人员与角色。'

// The compounds I may see, each saying whether I may appoint there.
function myCompounds(user) {
  const appointer = roleCompounds(user, APPOINTER_ROLES).map((c) => c.code)
  return roleCompounds(user, PEOPLE_ROLES).map((c) => Object.assign(c, { appoint: appointer.includes(c.code) }))
}

const EMPTY_FORM = {
  appointing: false,
  roleIndex: -1,
  scope: null,
  places: [],
  placeIndex: -1,
  name: '',
  formError: '',
  issued: null,
  sending: false,
}

Page(
  loadable({
    data: Object.assign(
      {
        compounds: [],
        compoundIndex: 0,
        canAppoint: false,
        denied: '',
        groups: [],
        people: [],
        counts: {},
        total: 0,
        nextCursor: null,
        moreText: '',
        invites: [],
        committeeDue: 0,
        roleOptions: views.roleOptions(),
        revoking: null,
        terming: null,
        myId: 0,
        today: '',
        busy: false,
      },
      EMPTY_FORM
    ),

    // The list comes 50 at a time: 显示更多 (or scrolling to the bottom) adds the
    // next page; the groups are made again from everyone shown so far.
    paging: { list: 'people', cursor: 'nextCursor' },

    onLoad() {
      return this.load()
    },

    async fetch(cursor) {
      if (cursor) return this.nextPage(cursor)
      await ensureLogin()
      let compounds = this.data.compounds
      let myId = this.data.myId
      if (!compounds.length) {
        const me = await getMe()
        myId = me.id
        compounds = myCompounds(me)
        if (!compounds.length) return { denied: DENIED, groups: [], people: [], nextCursor: null, invites: [] }
      }
      const compound = compounds[this.data.compoundIndex]
      const [body, invites] = await Promise.all([
        api.listPeople(compound.code),
        compound.appoint ? api.listRoleInvites(compound.code) : Promise.resolve({ items: [] }),
      ])
      return Object.assign(
        {
          compounds,
          myId,
          today: todayInShanghai(),
          denied: '',
          canAppoint: compound.appoint,
          invites: invites.items.map(views.inviteView),
          committeeDue: body.committee_due || 0,
        },
        this.listed(body, [])
      )
    },

    async nextPage(cursor) {
      return this.listed(await api.listPeople(this.code(), { cursor }), this.data.people)
    },

    // A page of the list as data: `people` is the page's own (the shared paging
    // appends it), the groups and the 显示更多 words count everyone shown.
    listed(body, before) {
      const shown = before.concat(body.items)
      const total = body.total === undefined ? shown.length : body.total
      const nextCursor = body.next_cursor || null
      return {
        people: body.items,
        counts: body.counts || {},
        total,
        nextCursor,
        groups: views.peopleGroups(shown, body.counts),
        moreText: nextCursor ? views.moreText(shown.length, total) : '',
      }
    },

    isEmpty(data) {
      return !data.denied && !data.groups.length && !data.invites.length
    },

    code() {
      return this.data.compounds[this.data.compoundIndex].code
    },

    onCompoundChange(e) {
      const reset = Object.assign(
        { compoundIndex: Number(e.detail.value), loaded: false, groups: [], people: [], nextCursor: null, moreText: '' },
        EMPTY_FORM
      )
      this.setData(reset)
      return this.load()
    },

    // ----- 新增任命 -----

    // The units and buildings to pick from come first: without them the form
    // would offer empty pickers, so a failure closes it and says why.
    async openAppoint() {
      if (this.data.appointing) return
      this.setData(Object.assign({}, EMPTY_FORM, { appointing: true }))
      try {
        this._compound = await getCompound(this.code())
      } catch (err) {
        this._compound = null
        this.setData({ appointing: false })
        showError(err)
      }
    },

    closeAppoint() {
      this.setData(EMPTY_FORM)
    },

    onRolePick(e) {
      const roleIndex = Number(e.detail.value)
      const scope = views.scopeWanted(this.data.roleOptions[roleIndex].value)
      const places =
        scope === 'unit' ? views.unitOptions(this._compound) : scope === 'building' ? views.buildingOptions(this._compound) : []
      this.setData({ roleIndex, scope, places, placeIndex: -1, formError: '' })
    },

    onPlacePick(e) {
      this.setData({ placeIndex: Number(e.detail.value), formError: '' })
    },

    onNameInput(e) {
      this.setData({ name: e.detail.value, formError: '' })
    },

    formProblem() {
      if (this.data.roleIndex < 0) return '请选择要任命的职务'
      if (this.data.scope && this.data.placeIndex < 0) {
        return this.data.scope === 'unit' ? '请选择哪个单元' : '请选择哪栋楼'
      }
      const name = (this.data.name || '').trim()
      return name ? checkName(name, '') : ''
    },

    async submitInvite() {
      if (this.data.sending) return
      const problem = this.formProblem()
      if (problem) return this.setData({ formError: problem })
      const role = this.data.roleOptions[this.data.roleIndex].value
      const place = this.data.scope ? this.data.places[this.data.placeIndex].value : null
      const body = { role, name: (this.data.name || '').trim() }
      if (this.data.scope === 'unit') body.unit = place
      if (this.data.scope === 'building') body.building = place
      this.setData({ sending: true, formError: '' })
      try {
        const invite = await api.createRoleInvite(this.code(), body)
        this.setData({ sending: false, issued: views.issuedView(invite) })
        await this.refresh()
      } catch (err) {
        this.setData({ sending: false, formError: (err && err.message) || '没有生成，请稍后再试' })
      }
    },

    // ----- 作废 an invite -----

    async voidInvite(e) {
      const invite = this.data.invites.find((i) => i.id === Number(e.currentTarget.dataset.id))
      if (!invite || this.data.busy) return
      const whose = invite.named ? `给 ${invite.name} 的` : '这份'
      const yes = await confirm('作废邀请码？', `作废后，${whose}「${invite.title}」邀请码就不能用了。`, {
        confirmText: '作废',
        cancelText: '不作废',
      })
      if (!yes) return
      this.setData({ busy: true })
      try {
        await api.revokeRoleInvite(this.code(), invite.id)
        wx.showToast({ title: '已作废', icon: 'success' })
        await this.refresh()
      } catch (err) {
        await told('没有作废', err)
      }
      this.setData({ busy: false })
    },

    // ----- 免去 -----

    askRevoke(e) {
      const id = Number(e.currentTarget.dataset.id)
      for (const group of this.data.groups) {
        const person = group.people.find((p) => p.id === id)
        if (person) return this.setData({ revoking: person })
      }
    },

    onRevokeCancel() {
      this.setData({ revoking: null })
    },

    // The reason is written; asked once more, since it cannot be undone.
    async onRevoke(e) {
      const person = this.data.revoking
      if (!person || this.data.busy) return
      const yes = await confirm(`免去${person.name}？`, `${person.name}将不再担任${person.title}，会收到通知和理由。免去后不能撤销。`, {
        confirmText: '免去',
        cancelText: '不免去',
      })
      if (!yes) return
      this.setData({ busy: true })
      try {
        await api.revokeMembership(this.code(), person.id, e.detail.reason)
        this.setData({ busy: false, revoking: null })
        wx.showToast({ title: '已免去', icon: 'success' })
        await this.refresh()
      } catch (err) {
        this.setData({ busy: false })
        await told('没有免去', err)
      }
    },

    // ----- 设定任期 (another committee member's; one's own is set by someone else) -----

    askTerm(e) {
      const id = Number(e.currentTarget.dataset.id)
      for (const group of this.data.groups) {
        const person = group.people.find((p) => p.id === id)
        if (person) return this.setData({ terming: views.termDraft(person, this.data.today) })
      }
    },

    termPatch(fields) {
      this.setData({ terming: Object.assign({}, this.data.terming, { error: '' }, fields) })
    },

    onTermStart(e) {
      this.termPatch({ start: e.detail.value })
    },

    onTermEnd(e) {
      this.termPatch({ end: e.detail.value })
    },

    cancelTerm() {
      this.setData({ terming: null })
    },

    async saveTerm() {
      const term = this.data.terming
      if (!term || this.data.busy) return
      if (term.end <= term.start) return this.termPatch({ error: '结束日期要在开始日期之后' })
      if (term.end < this.data.today) return this.termPatch({ error: '结束日期已经过去，请核对' })
      const yes = await confirm('设定任期？', `${term.name}的任期：${views.longDate(term.start)} 至 ${views.longDate(term.end)}。`, {
        confirmText: '确定',
        cancelText: '再看看',
      })
      if (!yes) return
      this.setData({ busy: true })
      try {
        await api.setTerm(this.code(), term.id, { termStart: term.start, termEnd: term.end })
        this.setData({ busy: false, terming: null })
        wx.showToast({ title: '已保存', icon: 'success' })
        await this.refresh()
      } catch (err) {
        this.setData({ busy: false })
        this.termPatch({ error: errorMessage(err) })
      }
    },

    openAudit() {
      wx.navigateTo({ url: '/pages/audit/index' })
    },
  })
)
