// What a disclosure reads like on the phone: per fund the opening, each income
// and spending line, the closing, all in yuan; the check's answer in words.
const { formatYuan, formatRate } = require('./money')
const { formatTime, formatDate } = require('./format')

function lineDetail(line) {
  if (line.kind === 'fees') return `${line.bills} 笔账单，${line.households} 户`
  if (line.kind === 'expense') {
    const parts = [line.category_name, line.payee ? `收款方：${line.payee}` : ''].filter(Boolean)
    return parts.join(' · ')
  }
  // "2026-11-20" → "11月20日收到": a date as people say it.
  if (line.kind === 'income') return line.received_on ? `${formatDate(line.received_on)}收到` : ''
  if (line.kind === 'reversal') return line.reason ? `原因：${line.reason}` : ''
  if (line.count) return `${line.count} 笔`
  return ''
}

function lineView(line) {
  const receipts = line.receipts || []
  const amount = formatYuan(line.amount_fen)
  const detail = lineDetail(line)
  return {
    key: line.key,
    title: line.title,
    detail,
    amount,
    receipts,
    receiptsText: receipts.length ? `票据 ${receipts.length} 张，点开看` : '',
    label: `${line.title}，${amount} 元${detail ? `，${detail}` : ''}${receipts.length ? '，点开看票据' : ''}`,
  }
}

function fundView(fund) {
  return {
    account: fund.account,
    name: fund.name,
    opening: formatYuan(fund.opening_fen),
    closing: formatYuan(fund.closing_fen),
    incomeTotal: formatYuan(fund.income_fen),
    expenseTotal: formatYuan(fund.expense_fen),
    income: (fund.income || []).map(lineView),
    expenses: (fund.expenses || []).map(lineView),
  }
}

// A fund with nothing in it and nothing moving is left out.
const shown = (fund) => fund.opening_fen || fund.closing_fen || (fund.income || []).length || (fund.expenses || []).length

function collectionText(collection) {
  if (!collection || !collection.households_billed) return ''
  return (
    `应缴 ${collection.households_billed} 户，已缴 ${collection.households_paid} 户，` +
    `收缴率 ${formatRate(collection.collection_rate)}`
  )
}

function disclosureView(d) {
  const actions = d.actions || []
  return {
    id: d.id,
    compound: d.compound,
    month: d.month,
    title: d.title,
    status: d.status,
    statusLabel: d.status_name,
    frozenAt: formatTime(d.created_at),
    changes: d.changes || '',
    objection: d.objection || '',
    funds: (d.funds || []).filter(shown).map(fundView),
    collection: collectionText(d.collection),
    issues: (d.issues || []).map((i) => `${i.name}：报事 ${i.reported} 件，解决 ${i.resolved} 件`),
    canSignOff: actions.includes('sign_off'),
    canObject: actions.includes('object'),
    canPublish: actions.includes('publish'),
    canCorrect: actions.includes('correct'),
  }
}

function itemView(d) {
  return { id: d.id, title: d.title, status: d.status, statusLabel: d.status_name }
}

function verifyView(result) {
  return {
    ok: Boolean(result.verified),
    summary: result.verified ? '一致：公示的每一个数字都与账本相符' : result.summary,
    differences: (result.differences || []).map((d) => d.message),
  }
}

// The line of a fund by its key (receipts to show).
function findLine(funds, account, key) {
  const fund = funds.find((f) => f.account === account)
  if (!fund) return null
  return fund.income.concat(fund.expenses).find((line) => line.key === key) || null
}

module.exports = { disclosureView, itemView, verifyView, lineView, findLine }
