// 业主表决 (owners, volunteers, the committee and the supervisor of a
// compound): the proposals by phase — 公示中 (read and comment), 表决中 (vote),
// 已结束 (the result) — and 草稿 for the committee and the supervisor. A flat
// of mine that has not voted yet shows a big 待您投票. The committee drafts
// with 起草表决事项.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listProposals } = require('../../api/decisions')
const { memberCompounds } = require('../../utils/spending')
const { summaryView, deniedText } = require('../../utils/decisions')
const { roleCompounds } = require('../../utils/user')
const { loadable } = require('../../utils/page')

const NOT_A_MEMBER = '绑定房屋（业主）或担任小区职务后，就能看到小区的业主表决。'

const TABS = [
  { key: 'notice', label: '公示中' },
  { key: 'voting', label: '表决中' },
  { key: 'closed', label: '已结束' },
  { key: 'draft', label: '草稿', drafts: true },
]

const EMPTY = {
  notice: '现在没有公示中的表决事项',
  voting: '现在没有正在表决的事项',
  closed: '还没有结束的表决',
  draft: '没有草稿',
}

Page(
  loadable({
    data: {
      denied: '',
      compounds: [],
      compoundIndex: 0,
      tabs: TABS.filter((t) => !t.drafts),
      tab: 'voting',
      items: [],
      canDraft: false,
      emptyText: EMPTY.voting,
    },

    onLoad(options) {
      this.wanted = (options && options.compound) || ''
      const tab = options && options.status
      if (TABS.some((t) => t.key === tab)) this.setData({ tab, emptyText: EMPTY[tab] })
    },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let { compounds } = this.data
      const patch = {}
      if (!compounds.length) {
        const me = await getMe()
        compounds = memberCompounds(me)
        if (!compounds.length) return { denied: NOT_A_MEMBER }
        this.committee = roleCompounds(me, ['committee']).map((c) => c.code)
        this.drafts = roleCompounds(me, ['committee', 'supervisor']).map((c) => c.code)
        patch.compounds = compounds
        patch.compoundIndex = Math.max(0, compounds.findIndex((c) => c.code === this.wanted))
      }
      const index = 'compoundIndex' in patch ? patch.compoundIndex : this.data.compoundIndex
      const code = compounds[index].code
      const seesDrafts = (this.drafts || []).includes(code)
      const tab = this.data.tab === 'draft' && !seesDrafts ? 'voting' : this.data.tab
      let items
      try {
        ;({ items } = await listProposals(code, { status: tab }))
      } catch (err) {
        // A tenant or family member: said plainly, not an error to retry.
        const denied = deniedText(err)
        if (!denied) throw err
        return Object.assign(patch, { denied, items: [], canDraft: false })
      }
      return Object.assign(patch, {
        denied: '',
        tab,
        emptyText: EMPTY[tab],
        tabs: TABS.filter((t) => seesDrafts || !t.drafts),
        items: (items || []).map(summaryView),
        canDraft: (this.committee || []).includes(code),
      })
    },

    isEmpty(data) {
      return !data.denied && !data.items.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), items: [], loaded: false })
      return this.load()
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return undefined
      this.setData({ tab, items: [], loaded: false, emptyText: EMPTY[tab] })
      return this.load()
    },

    openProposal(e) {
      wx.navigateTo({ url: `/pages/proposal/index?id=${e.currentTarget.dataset.id}` })
    },

    draft() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (compound) wx.navigateTo({ url: `/pages/proposal-edit/index?compound=${compound.code}` })
    },
  })
)
