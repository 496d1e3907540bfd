/**
 * How many model elements of one name a DEXPI 1.x file holds, counted from the XML text itself with
 * a regular expression, independently of the importer's parser: the yardstick the accounting test
 * and the collection bench hold the import report against.
 */

/** Elements of `name` in the file's model: comments and the ShapeCatalogue (symbol templates) left out. */
export function countInXml(text: string, name: string): number {
  const model = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<ShapeCatalogue[\s>][\s\S]*?<\/ShapeCatalogue>/g, "");
  return (model.match(new RegExp(`<${name}[\\s/>]`, "g")) ?? []).length;
}
