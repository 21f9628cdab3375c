/**
 * What the window tests do on its page again and again: open a screen from the navigation, and
 * read everything the page holds — text and markup, attributes and hidden nodes included — to
 * prove a secret is nowhere in it.
 */
import type { Locator, Page } from 'playwright-core';

/** Clicks the screen's navigation entry and waits for the screen. */
export async function openScreen(page: Page, screen: string): Promise<Locator> {
  await page.getByTestId(`nav-${screen}`).click();
  const main = page.getByTestId(`screen-${screen}`);
  await main.waitFor();
  return main;
}

/** The page's text and its markup, one after the other. */
export async function everythingOnPage(page: Page): Promise<string> {
  return `${(await page.locator('html').textContent()) ?? ''}\n${await page.content()}`;
}
