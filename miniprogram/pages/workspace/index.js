// Liaison workspace (工作台): the issues I handle, by tab, and my in-person
// return visits. Tabs are data: each names its GET /issues filters. Above
// them, how many new-issue and reminder pushes WeChat will still bring me, and
// 新报事提醒我, the tap that asks for more.
const { ensureLogin } = require('../../api/auth')
const { listIssues } = require('../../api/issues')
const { getMe, myTasks, mySubscriptions, setSharedPhone } = require('../../api/me')
const { cleanMobile } = require('../../utils/liaisons')
const { workspaceEntries } = require('../../utils/census-entries')
const { issueItemView, taskView } = require('../../utils/issues')
const { pushView, requestPushes } = require('../../services/push')
const { errorMessage, showError } = require('../../utils/errors')
const { describeUser, roleCompounds } = require('../../utils/user')
const { loadable } = require('../../utils/page')
const { listExpenses } = require('../../api/spending')
const { FINANCE_ROLES } = require('../../utils/labels')
const { isCareVisit } = require('../../utils/census')

// Who records and confirms paper ballots of an owners' decision.
const VOLUNTEER_ROLES = ['liaison', 'building_lead', 'committee']

// Each tab in a line of plain words: what it holds and what to do.
const TABS = [
  {
    key: 'submitted',
    label: '待受理',
    hint: '居民刚报来的事，请尽快看一看，能办就点“受理”。',
    empty: '没有待受理的事项',
    filters: { handled: true, status: 'submitted' },
  },
  {
    key: 'overdue',
    label: '超时',
    hint: '过了约定时间还没有处理完的事，请先办这些。',
    empty: '没有超时的事项',
    filters: { handled: true, overdue: true },
  },
  {
    key: 'accepted',
    label: '处理中',
    hint: '已经受理、正在办的事；办好了点“办结”。',
    empty: '没有处理中的事项',
    filters: { handled: true, status: 'accepted' },
  },
  {
    key: 'referred',
    label: '已转办',
    hint: '已交给社区、物业或其他单位去办的事，请按约定日子问一问进展。',
    empty: '没有已转办的事项',
    filters: { handled: true, status: 'referred' },
  },
  {
    key: 'tasks',
    label: '上门回访',
    hint: '事情办完后，要上门问问居民是否满意。',
    empty: '没有要上门回访的事项',
  },
]

const tabOf = (key) => TABS.find((t) => t.key === key) || TABS[0]

// What the page shows of a tab: its hint and its empty state.
const tabText = (tab) => ({ tabHint: tab.hint, emptyText: tab.empty })

Page(
  loadable({
    data: Object.assign(
      {
        tabs: TABS.map(({ key, label }) => ({ key, label })),
        tab: TABS[0].key,
        items: [],
        tasks: [],
        nextCursor: null,
        // pushView(GET /me/subscriptions); null hides the card (not readable now).
        push: null,
        pushBusy: false,
        // Why the counts could not be read, shown with 重试 in the card's place.
        pushError: '',
        pushRetrying: false,
        // 我的联系电话 (liaisons, building leads, the committee): what I share now
        // ('' for nothing), what is typed, a save in flight.
        canSharePhone: false,
        sharedPhone: '',
        phoneInput: '',
        phoneBusy: false,
        phoneError: '',
        // The entries, from one GET /me per show (utils/user.js describeUser and
        // the role lists of utils/labels.js): 工作交接 (liaisons, the committee);
        // 小区概况, 人员与角色 and 任免记录 (the committee here; the supervisor,
        // who has no workspace, finds them on the home page).
        canHandover: false,
        canSeeCompound: false,
        canSeePeople: false,
        // 排查, 住户登记覆盖, 查看记录, 走访频率 by role (utils/census-entries.js).
        committeeEntries: [],
        // 支出 for the committee and the supervisor, with how many wait for me.
        canSeeExpenses: false,
        expensesWaiting: 0,
        // 公共收益 for the committee and the supervisor (from the same user).
        canSeeIncome: false,
        // 发布公告 for the committee.
        canPostNotice: false,
        // 纸质表决票 (owners' decisions) for every volunteer.
        canPaperBallot: false,
        // 我的住户 and 走访任务 (volunteers), with the care visits due for me.
        canSeeHouseholds: false,
        careLine: '',
        careOverdue: 0,
      },
      tabText(TABS[0])
    ),

    paging: { list: 'items', cursor: 'nextCursor' },

    // 待我审核的支出: the count on the entry; a failure leaves it out.
    async loadExpenses() {
      try {
        const pages = await Promise.all((this.finance || []).map((c) => listExpenses(c.code, { waitingForMe: true })))
        this.setData({ expensesWaiting: pages.reduce((n, page) => n + (page.waiting_for_me || 0), 0) })
      } catch (err) {
        this.setData({ expensesWaiting: 0 })
      }
    },

    openExpenses() {
      const filter = this.data.expensesWaiting ? '?filter=mine' : ''
      wx.navigateTo({ url: `/pages/expenses/index${filter}` })
    },

    // Every show: acting on an issue moves it to another tab, pushes sent
    // meanwhile have used up some of what I allowed, and a role taken up or
    // handed over changes the entries.
    onShow() {
      return Promise.all([this.load(), this.loadPush(), this.loadMe()])
    },

    // My roles and shared number, read once per show; the issues work without
    // them (a failure hides the phone card and keeps the entries as they were).
    async loadMe() {
      try {
        await ensureLogin()
        const me = await getMe()
        const view = describeUser(me)
        this.setData({ committeeEntries: workspaceEntries(me) })
        this.setData({
          canSharePhone: view.canSharePhone,
          sharedPhone: me.shared_phone || '',
          phoneInput: me.shared_phone || '',
          canHandover: view.canHandover,
          canSeeCompound: view.canSeeOverview,
          canSeePeople: view.canSeePeople,
          canSeeIncome: view.canSeeIncome,
          canPostNotice: view.canPostNotice,
        })
        this.setData({ canPaperBallot: roleCompounds(me, VOLUNTEER_ROLES).length > 0 })
        await this.loadCare(roleCompounds(me, VOLUNTEER_ROLES).length > 0)
        this.finance = roleCompounds(me, FINANCE_ROLES)
        this.setData({ canSeeExpenses: this.finance.length > 0 })
        await this.loadExpenses()
      } catch (err) {
        this.setData({ canSharePhone: false })
      }
    },

    // 我的住户 and 走访任务 for volunteers: the care visits of GET /me/tasks
    // counted (a failure leaves the count out, the entries stay).
    async loadCare(volunteer) {
      this.setData({ canSeeHouseholds: volunteer })
      if (!volunteer) return
      try {
        const care = ((await myTasks()).items || []).filter(isCareVisit)
        const overdue = care.filter((t) => t.overdue).length
        const line = care.length ? `${care.length} 户待走访${overdue ? `，${overdue} 户已超时` : ''}` : '现在没有要走访的住户'
        this.setData({ careLine: line, careOverdue: overdue })
      } catch (err) {
        this.setData({ careLine: '关爱走访：独居老人等住户的定期走访', careOverdue: 0 })
      }
    },

    openHouseholds() {
      wx.navigateTo({ url: '/pages/households/index' })
    },

    openCareTasks() {
      wx.navigateTo({ url: '/pages/households/index?tab=tasks' })
    },

    onPhoneInput(e) {
      this.setData({ phoneInput: e.detail.value, phoneError: '' })
    },

    // 保存: residents will see this number, so ask first.
    savePhone() {
      if (this.data.phoneBusy) return Promise.resolve()
      const phone = cleanMobile(this.data.phoneInput)
      if (!phone) {
        this.setData({ phoneError: '请填写 11 位手机号码，如 13812345678' })
        return Promise.resolve()
      }
      return this.confirmThen(
        `公开后，您负责的单元的居民能看到并拨打 ${phone}。确定公开？`,
        () => this.storePhone(phone, '已公开')
      )
    },

    // 不再公开: residents no longer see a number.
    stopSharing() {
      if (this.data.phoneBusy || !this.data.sharedPhone) return Promise.resolve()
      return this.confirmThen('不再公开后，居民看不到您的电话了。确定？', () =>
        this.storePhone(null, '已不再公开')
      )
    },

    confirmThen(content, then) {
      return new Promise((resolve) => {
        wx.showModal({
          title: '我的联系电话',
          content,
          confirmText: '确定',
          cancelText: '取消',
          success: (res) => resolve(res && res.confirm ? then() : undefined),
          fail: () => resolve(),
        })
      })
    },

    async storePhone(phone, done) {
      this.setData({ phoneBusy: true })
      try {
        const saved = await setSharedPhone(phone)
        this.setData({ phoneBusy: false, sharedPhone: saved.phone || '', phoneInput: saved.phone || '' })
        wx.showToast({ title: done, icon: 'success' })
      } catch (err) {
        this.setData({ phoneBusy: false, phoneError: errorMessage(err) })
      }
    },

    goHandover() {
      wx.navigateTo({ url: '/pages/handover/index' })
    },

    // Answers for a tab the user has already left are dropped (the helper's
    // load sequence).
    switchTab(e) {
      const tab = e.currentTarget.dataset.tab
      if (tab === this.data.tab) return Promise.resolve()
      const reset = { tab, loaded: false, error: '', moreError: '', items: [], tasks: [], nextCursor: null }
      this.setData(Object.assign(reset, tabText(tabOf(tab))))
      return this.load()
    },

    // The tab's first page (cursor null) or the next one; 上门回访 is one list.
    async fetch(cursor) {
      await ensureLogin()
      const tab = tabOf(this.data.tab)
      if (!tab.filters) {
        const { items } = await myTasks()
        // Care visits have their own list (我的住户 → 走访任务).
        return { tasks: items.filter((t) => !isCareVisit(t)).map(taskView), nextCursor: null }
      }
      const page = await listIssues(Object.assign({}, tab.filters, cursor ? { cursor } : {}))
      return { items: page.items.map(issueItemView), nextCursor: page.next_cursor || null }
    },

    isEmpty(data) {
      return data.tab === 'tasks' ? !data.tasks.length : !data.items.length
    },

    // The card says nothing rather than something wrong: the issues still work.
    // A failure says so with 重试 instead; a server without the endpoint (404) hides it.
    async loadPush() {
      try {
        await ensureLogin()
        this.setData({ push: pushView(await mySubscriptions()), pushError: '' })
      } catch (err) {
        const gone = err && err.status === 404
        this.setData({ push: null, pushError: gone ? '' : `提醒次数暂时无法读取：${errorMessage(err)}` })
      }
    },

    // 重试 under the counts' error; the button spins until they answer.
    async retryPush() {
      if (this.data.pushRetrying) return
      this.setData({ pushRetrying: true })
      await this.loadPush()
      this.setData({ pushRetrying: false })
    },

    // The tap on 新报事提醒我: WeChat's dialog first (requestPushes calls
    // wx.requestSubscribeMessage before anything else), then the new counts.
    remindMe() {
      const tmplIds = (this.data.push && this.data.push.tmplIds) || []
      if (this.data.pushBusy || !tmplIds.length) return Promise.resolve()
      const asked = requestPushes(tmplIds)
      this.setData({ pushBusy: true })
      return asked.then(({ status, error }) => {
        this.setData(status ? { pushBusy: false, push: pushView(status) } : { pushBusy: false })
        if (error) showError(error)
        else if (status) wx.showToast({ title: '已开启提醒', icon: 'success' })
        else wx.showToast({ title: '没有开启提醒', icon: 'none' })
      })
    },

    openIssue(e) {
      wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}` })
    },

    openTask(e) {
      wx.navigateTo({ url: `/pages/issue/index?id=${e.currentTarget.dataset.id}&return_visit=1` })
    },

    openPeople() {
      wx.navigateTo({ url: '/pages/people/index' })
    },

    openAudit() {
      wx.navigateTo({ url: '/pages/audit/index' })
    },

    openIncome() {
      wx.navigateTo({ url: '/pages/income/index' })
    },

    // 月度公示 (committee, supervisor): the compound's monthly statements.
    openPaperBallots() {
      wx.navigateTo({ url: '/pages/proposals/index?status=voting' })
    },

    openDisclosures() {
      wx.navigateTo({ url: '/pages/disclosure/index' })
    },

    // Its own page above this one: 返回 comes back here.
    fileForResident() {
      wx.navigateTo({ url: '/pages/report-for/index' })
    },

    openCompound() {
      wx.navigateTo({ url: '/pages/compound/index' })
    },

    openNoticeNew() {
      wx.navigateTo({ url: '/pages/notice-new/index' })
    },

    openCommitteeEntry(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
  })
)
