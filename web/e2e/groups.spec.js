// Groups through the real binary (docs/PROTOCOL.md, groups): three people, a group, a
// message, a removal. Needs a server with the group API (issue 10).
import { expect, test } from '@playwright/test'
import { startServer } from './server.js'
import { events, expectConnected, expectOnce, messages, newPerson, openGroup, register, send, shot, uname } from './helpers.js'

let server
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server?.cleanup()
})

test('three users, a group, a message, a removal', async ({ browser }) => {
  const [alice, bob, carol] = [uname('ga'), uname('gb'), uname('gc')]
  const group = 'Trip ' + uname('')
  const a = await newPerson(browser)
  const b = await newPerson(browser)
  const c = await newPerson(browser)
  await register(a.page, server.url, alice)
  await register(b.page, server.url, bob)
  await register(c.page, server.url, carol)

  // alice creates the group, picking bob and carol from the registered list
  await a.page.locator('[data-test=new-group]').click()
  const dialog = a.page.locator('.el-dialog.new-group')
  await expect(dialog).toBeVisible()
  await dialog.locator('input[data-test=group-name]').fill(group)
  const picker = dialog.locator('[data-test=group-members-pick]')
  for (const who of [bob, carol]) {
    await picker.click()
    await a.page.locator('.el-select-dropdown__item', { hasText: who }).click()
  }
  await dialog.locator('input[data-test=group-name]').click() // closes the dropdown
  await dialog.locator('[data-test=create-group]').click()
  await expect(dialog).toBeHidden()
  // the new group opens, with the creation in its timeline
  await expect(a.page.locator('.pane[data-group] [data-test=pane-title]')).toHaveText(group)
  await expect(a.page.locator('.pane [data-test=member-count]')).toHaveText('3 members')
  await expect(events(a.page, 'created')).toHaveCount(1)
  await expect(events(a.page, 'created')).toContainText('you created the group')

  // bob and carol see it in their lists without reloading
  for (const p of [b.page, c.page]) {
    await p.locator('[data-tab=chats]').click()
    await expect(p.locator(`.conv-item[data-group-name="${group}"]`)).toBeVisible()
  }

  // a message: both get it once, with alice's name on the bubble
  await send(a.page, 'Hello team / 大家好')
  await expect(messages(a.page, 'Hello team / 大家好')).toHaveAttribute('data-status', 'sent')
  // the creation and the message: the server counts group events from others as unread too
  // (docs/PROTOCOL.md, GET /api/conversations `unread`), and a live tab counts the same
  await expect(b.page.locator(`.conv-item[data-group-name="${group}"] [data-test=unread]`)).toHaveText('2')
  await expect(b.page.locator(`.conv-item[data-group-name="${group}"] .preview`)).toHaveText(`${alice}: Hello team / 大家好`)
  for (const p of [b.page, c.page]) {
    await openGroup(p, group)
    await expectOnce(p, 'Hello team / 大家好')
    await expect(messages(p, 'Hello team / 大家好').locator('.from')).toHaveText(alice)
    await expect(events(p, 'created')).toContainText(`${alice} created the group`)
  }
  await expect(b.page.locator(`.conv-item[data-group-name="${group}"] [data-test=unread]`)).toHaveCount(0)

  // bob answers: alice and carol see bob's name
  await send(b.page, 'Count me in')
  for (const p of [a.page, c.page]) {
    await expectOnce(p, 'Count me in')
    await expect(messages(p, 'Count me in').locator('.from')).toHaveText(bob)
  }

  // alice removes carol from the member panel
  await a.page.locator('[data-test=toggle-members]').click()
  const panel = a.page.locator('[data-test=group-members]')
  await expect(panel.locator(`[data-member="${alice}"]`)).toHaveAttribute('data-role', 'owner')
  await expect(panel.locator('[data-member]')).toHaveCount(3)
  await shot(a.page, 'group-members-alice')
  await panel.locator(`[data-member="${carol}"] [data-test=remove-member]`).click()
  await expect(panel.locator(`[data-member="${carol}"]`)).toHaveCount(0)
  await expect(events(a.page, 'removed')).toContainText(`you removed ${carol}`)

  // carol sees the removal in the timeline, and can no longer write
  await expect(events(c.page, 'removed')).toHaveCount(1)
  await expect(events(c.page, 'removed')).toContainText(`${alice} removed you`)
  await expect(c.page.locator('.pane [data-test=group-gone]')).toBeVisible()
  await expect(c.page.locator('.pane textarea')).toHaveCount(0)
  await expect(events(b.page, 'removed')).toContainText(`${alice} removed ${carol}`)
  await shot(c.page, 'group-removed-carol')

  // the next message reaches bob, not carol
  await send(a.page, 'Only the two of us now')
  await expectOnce(b.page, 'Only the two of us now')
  await expect(messages(b.page, 'Only the two of us now').locator('.from')).toHaveText(alice)
  await send(b.page, 'Bob still here')
  await expectOnce(a.page, 'Bob still here')
  await c.page.waitForTimeout(500) // what would have come has come
  await expect(messages(c.page, 'Only the two of us now')).toHaveCount(0)
  await expect(messages(c.page, 'Bob still here')).toHaveCount(0)

  // after a reload nothing new reaches carol either: the group is gone from her list (a former
  // member cannot read it), or, if the server keeps listing it, it opens read-only
  await c.page.reload()
  await expectConnected(c.page)
  await c.page.locator('[data-tab=chats]').click()
  await expect(c.page.locator('.conv-list, [data-test=online-now]').first()).toBeVisible()
  await c.page.waitForTimeout(500) // the conversation list has loaded
  await expect(c.page.locator('.conv-item .preview', { hasText: 'Only the two of us now' })).toHaveCount(0)
  await expect(c.page.locator('.conv-item .preview', { hasText: 'Bob still here' })).toHaveCount(0)
  const item = c.page.locator(`.conv-item[data-group-name="${group}"]`)
  if (await item.count()) {
    await item.click()
    await expect(c.page.locator('.pane [data-test=group-gone]')).toBeVisible()
    await expect(messages(c.page, 'Only the two of us now')).toHaveCount(0)
  }

  // and bob, reloaded, reads the whole story from the history, in order
  await b.page.reload()
  await expect(b.page.locator('[data-test=me]')).toHaveText(bob)
  await openGroup(b.page, group)
  await expectOnce(b.page, 'Bob still here')
  const lines = await b.page.locator('.pane [data-test=text], .pane [data-test=group-event]').allTextContents()
  const at = (s) => lines.findIndex((l) => l.includes(s))
  expect(at('created the group')).toBeLessThan(at('Hello team'))
  expect(at('Hello team')).toBeLessThan(at('Count me in'))
  expect(at('Count me in')).toBeLessThan(at(`removed ${carol}`))
  expect(at(`removed ${carol}`)).toBeLessThan(at('Only the two of us now'))
  for (const x of [a, b, c]) await x.context.close()
})

test('a member leaves; an admin is named; the group is renamed and deleted', async ({ browser }) => {
  const [owner, admin, member] = [uname('go'), uname('gd'), uname('gm')]
  const group = 'Book club ' + uname('')
  const o = await newPerson(browser)
  const d = await newPerson(browser)
  const m = await newPerson(browser)
  await register(o.page, server.url, owner)
  await register(d.page, server.url, admin)
  await register(m.page, server.url, member)

  await o.page.locator('[data-test=new-group]').click()
  const dialog = o.page.locator('.el-dialog.new-group')
  await dialog.locator('input[data-test=group-name]').fill(group)
  for (const who of [admin, member]) {
    await dialog.locator('[data-test=group-members-pick]').click()
    await o.page.locator('.el-select-dropdown__item', { hasText: who }).click()
  }
  await dialog.locator('input[data-test=group-name]').click() // closes the dropdown
  await dialog.locator('[data-test=create-group]').click()
  await expect(dialog).toBeHidden()

  await o.page.locator('[data-test=toggle-members]').click()
  const panel = o.page.locator('[data-test=group-members]')
  await panel.locator(`[data-member="${admin}"] [data-test=toggle-admin]`).click()
  await expect(panel.locator(`[data-member="${admin}"]`)).toHaveAttribute('data-role', 'admin')
  await openGroup(d.page, group)
  await expect(events(d.page, 'admin_added')).toContainText(`${owner} made you admin`)
  // the admin's panel offers to remove the member, not the owner, and no delete
  await d.page.locator('[data-test=toggle-members]').click()
  const dpanel = d.page.locator('[data-test=group-members]')
  await expect(dpanel.locator(`[data-member="${member}"] [data-test=remove-member]`)).toBeVisible()
  await expect(dpanel.locator(`[data-member="${owner}"] [data-test=remove-member]`)).toHaveCount(0)
  await expect(dpanel.locator('[data-test=delete-group]')).toHaveCount(0)

  // the admin renames it; everyone's list follows
  const renamed = group + ' 2'
  await dpanel.locator('[data-test=rename]').click()
  await dpanel.locator('input[data-test=rename-input]').fill(renamed)
  await dpanel.locator('[data-test=rename-save]').click()
  await expect(o.page.locator('.pane [data-test=pane-title]')).toHaveText(renamed)
  await expect(events(o.page, 'renamed')).toContainText(`${admin} renamed the group to “${renamed}”`)

  // the member leaves
  await openGroup(m.page, renamed)
  await m.page.locator('[data-test=toggle-members]').click()
  await m.page.locator('[data-test=leave-group]').click()
  await m.page.locator('[data-test=confirm-leave]').click()
  await expect(m.page.locator('.pane [data-test=group-gone]')).toContainText('You left this group.')
  await expect(events(o.page, 'left')).toContainText(`${member} left`)
  await expect(panel.locator('[data-member]')).toHaveCount(2)

  // the owner deletes it
  await panel.locator('[data-test=delete-group]').click()
  await panel.locator('[data-test=confirm-delete]').click()
  await expect(o.page.locator('.pane [data-test=group-gone]')).toContainText('This group was deleted.')
  await expect(d.page.locator('.pane [data-test=group-gone]')).toContainText('This group was deleted.')
  await expect(events(d.page, 'deleted')).toContainText(`${owner} deleted the group`)
  for (const x of [o, d, m]) await x.context.close()
})

test('an offline member catches up on events and messages once; a newcomer reads from joining on; awkward names', async ({ browser }) => {
  // fixed awkward names: this spec's server has a fresh data dir, and this test runs once in it
  const [owner, away, late] = ['constructor', '__proto__', uname('late')]
  const group = 'toString'
  const o = await newPerson(browser)
  let w = await newPerson(browser)
  await register(o.page, server.url, owner)
  await register(w.page, server.url, away)
  const l = await newPerson(browser)
  await register(l.page, server.url, late)

  await o.page.locator('[data-test=new-group]').click()
  const dialog = o.page.locator('.el-dialog.new-group')
  await dialog.locator('input[data-test=group-name]').fill(group)
  await dialog.locator('[data-test=group-members-pick]').click()
  await o.page.locator('.el-select-dropdown__item', { hasText: away }).click()
  await dialog.locator('input[data-test=group-name]').click()
  await dialog.locator('[data-test=create-group]').click()
  await expect(dialog).toBeHidden()
  await send(o.page, 'before the break')
  await openGroup(w.page, group)
  await expectOnce(w.page, 'before the break')

  // The read marker of what __proto__ has seen must be on the server before the tab goes: closing
  // at once could drop it in flight, and the unread count below would then race it.
  await expect
    .poll(() =>
      w.page.evaluate(async () => {
        const { token } = JSON.parse(localStorage.getItem('parley.session'))
        const r = await fetch('/api/conversations', { headers: { 'w-token': token } })
        const c = (await r.json()).conversations.find((x) => x.group)
        return c ? c.unread : -1
      })
    )
    .toBe(0)

  // __proto__ goes away (the browser keeps its resume point); meanwhile a message, a new member, another message
  const state = await w.context.storageState()
  await w.context.close()
  await send(o.page, 'while you were away')
  await o.page.locator('[data-test=toggle-members]').click()
  const panel = o.page.locator('[data-test=group-members]')
  await panel.locator('[data-test=add-members]').click()
  await o.page.locator('.el-select-dropdown__item:visible', { hasText: late }).click()
  await panel.locator('[data-test=add-submit]').click()
  await expect(panel.locator(`[data-member="${late}"]`)).toBeVisible()
  await send(o.page, 'welcome ' + late)

  // the newcomer gets the group live and sees it from joining on only
  await openGroup(l.page, group)
  await expect(events(l.page, 'added')).toContainText(`${owner} added you`)
  await expectOnce(l.page, 'welcome ' + late)
  await expect(messages(l.page, 'before the break')).toHaveCount(0)
  await expect(messages(l.page, 'while you were away')).toHaveCount(0)

  // __proto__ comes back: the unread count (the server's: two messages and the `added` event),
  // then everything once, in order
  w = await newPerson(browser, { storageState: state })
  await w.page.goto(server.url)
  await expect(w.page.locator('[data-test=me]')).toHaveText(away)
  await expectConnected(w.page)
  await expect(w.page.locator(`.conv-item[data-group-name="${group}"] [data-test=unread]`)).toHaveText('3')
  await openGroup(w.page, group)
  for (const text of ['before the break', 'while you were away', 'welcome ' + late]) await expectOnce(w.page, text)
  await expect(events(w.page, 'added')).toHaveCount(1)
  await expect(events(w.page, 'added')).toContainText(`${owner} added ${late}`)
  const lines = await w.page.locator('.pane [data-test=text], .pane [data-test=group-event]').allTextContents()
  const at = (s) => lines.findIndex((x) => x.includes(s))
  expect(at('while you were away')).toBeLessThan(at(`added ${late}`))
  expect(at(`added ${late}`)).toBeLessThan(at('welcome ' + late))
  for (const x of [o, w, l]) await x.context.close()
})
