/** CSS files imported by the embed arrive as text (esbuild's text loader) for its shadow root. */
declare module '*.css' {
  const text: string;
  export default text;
}
